package dev.framewise.ingest;

import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_RGB24;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.FrameGrabber;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens a {@link Source} with JavaCV's {@link FFmpegFrameGrabber}, with the options that bound its
 * reads, and turns FFmpeg's failures into one sentence. The grabber decodes to packed RGB24 when asked
 * for pictures.
 */
final class SourceOpener {
    private static final Logger LOG = LoggerFactory.getLogger(SourceOpener.class);
    /** JavaCV's messages carry FFmpeg's error code: "avformat_open_input() error -111: Could not open input ...". */
    private static final Pattern FFMPEG_ERROR = Pattern.compile("error (-\\d+)");

    private final Source source;
    private final Duration timeout;

    SourceOpener(Source source, Duration timeout) {
        this.source = source;
        this.timeout = timeout;
    }

    /** A started grabber on the source's video stream; the caller releases it. */
    FFmpegFrameGrabber open() throws SourceException {
        source.checkReadable();
        FfmpegLogging.install();
        FFmpegFrameGrabber grabber = new FFmpegFrameGrabber(source.given());
        if (source.format() != null) {
            grabber.setFormat(source.format());
        }
        grabber.setOptions(source.options(timeout));
        grabber.setPixelFormat(AV_PIX_FMT_RGB24);
        try {
            grabber.start();
        } catch (FrameGrabber.Exception e) {
            release(grabber);
            throw new SourceException("cannot open " + source + ": " + describe(e), e);
        }
        if (!grabber.hasVideo() || grabber.getImageWidth() <= 0 || grabber.getImageHeight() <= 0) {
            release(grabber);
            throw new SourceException(source + " has no video stream");
        }
        return grabber;
    }

    static void release(FFmpegFrameGrabber grabber) {
        try {
            grabber.release();
        } catch (FrameGrabber.Exception e) {
            // Nothing to recover: the next connection makes a grabber of its own.
            LOG.debug("Releasing the grabber failed", e);
        }
    }

    /** FFmpeg's reason in words ("Connection refused"), or JavaCV's message when it has no error code. */
    static String describe(FrameGrabber.Exception e) {
        String message = e.getMessage() == null ? e.toString() : e.getMessage();
        if (message.contains("Did not find a video or audio stream")) {
            return "no video stream";
        }
        if (message.contains("avcodec_find_decoder()")) {
            return "no decoder for its video codec";
        }
        Matcher m = FFMPEG_ERROR.matcher(message);
        return m.find() ? strerror(Integer.parseInt(m.group(1))) : message;
    }

    static String strerror(int error) {
        byte[] text = new byte[avutil.AV_ERROR_MAX_STRING_SIZE];
        if (avutil.av_strerror(error, text, text.length) < 0) {
            return "FFmpeg error " + error;
        }
        int length = 0;
        while (length < text.length && text[length] != 0) {
            length++;
        }
        return new String(text, 0, length, StandardCharsets.UTF_8);
    }
}
