package dev.framewise.ingest;

import static org.bytedeco.ffmpeg.global.avcodec.AV_CODEC_ID_H264;

import java.util.Locale;
import org.bytedeco.javacv.FFmpegFrameGrabber;

/**
 * Opens the source and chooses how its frames become records: decoded and encoded (JPEG, or H.264
 * re-encoded), or an H.264 source's own access units passed through. Passthrough needs an H.264
 * source without B-frames, no {@code --fps} (dropping frames of a stream breaks it) and no
 * {@code --transcode}.
 */
final class Connector {
    private final IngestSettings settings;
    private final SourceOpener opener;

    Connector(IngestSettings settings) {
        this.settings = settings;
        this.opener = new SourceOpener(settings.source(), settings.sourceTimeout());
    }

    Connection open() throws SourceException {
        FFmpegFrameGrabber grabber = opener.open();
        double fps = MediaClock.nominal(grabber.getFrameRate());
        String stream = String.format(Locale.ROOT, "%s %dx%d at %.4g frames/s", grabber.getVideoCodecName(),
                grabber.getImageWidth(), grabber.getImageHeight(), fps);
        return new Connection(reader(grabber, fps), stream, fps);
    }

    /** The reader for the grabber, which it takes over, also when it fails. */
    private FrameReader reader(FFmpegFrameGrabber grabber, double fps) throws SourceException {
        try {
            if (settings.codec() == OutputCodec.JPEG) {
                return new PictureReader(grabber, new JpegPictures(settings.quality()));
            }
            String reason = reencodeReason(grabber);
            if (reason == null) {
                PacketReader passthrough = new PacketReader(grabber);
                if (!passthrough.reordered()) {
                    return passthrough;
                }
                // Its first packets went to the probe: start over, decoding this time.
                passthrough.close();
                grabber = opener.open();
                reason = "its frames are reordered (B-frames)";
            }
            double encodedFps = settings.capped() ? Math.min(fps, settings.maxFps()) : fps;
            return new PictureReader(grabber, new H264Pictures(encodedFps, settings.bitrateKbps(), reason));
        } catch (SourceException | RuntimeException e) {
            SourceOpener.release(grabber);
            throw e;
        }
    }

    /** Why the source cannot be passed through, or null when it can. */
    private String reencodeReason(FFmpegFrameGrabber grabber) {
        if (settings.transcode()) {
            return "--transcode";
        }
        if (grabber.getVideoCodec() != AV_CODEC_ID_H264) {
            return "the source is " + grabber.getVideoCodecName();
        }
        if (settings.capped()) {
            return "--fps drops frames";
        }
        if (grabber.getFormatContext().streams(grabber.getVideoStream()).codecpar().video_delay() > 0) {
            return "the source has B-frames";
        }
        return null;
    }
}
