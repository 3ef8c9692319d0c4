package dev.framewise.ingest;

import static org.bytedeco.ffmpeg.global.avcodec.av_packet_unref;
import static org.bytedeco.ffmpeg.global.avutil.AV_NOPTS_VALUE;

import dev.framewise.operators.codec.AnnexB;
import dev.framewise.schemas.Codec;
import java.util.ArrayDeque;
import java.util.Deque;
import org.bytedeco.ffmpeg.avcodec.AVCodecParameters;
import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.ffmpeg.avformat.AVStream;
import org.bytedeco.ffmpeg.avutil.AVRational;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.FrameGrabber;

/**
 * An H.264 source's own access units, not decoded and not re-encoded: MP4 and Matroska packets
 * (NAL units behind their lengths) become Annex-B, MPEG-TS packets already are. Key frames are the
 * access units with an IDR slice; their {@code codec_config} is the SPS and PPS they carry in band,
 * else those of the stream's extradata.
 *
 * <p>The topics carry access units in decoding order and consumers decode them as they come, which is
 * right only for streams without B-frames. {@link #reordered()} tells whether the first packets show
 * reordering (a presentation time below an earlier one); such a stream must be re-encoded instead.
 */
final class PacketReader implements FrameReader {
    /** Packets looked at before passing a stream through: more than one reordered group of pictures. */
    private static final int PROBE_PACKETS = 16;

    private final FFmpegFrameGrabber grabber;
    private final int streamIndex;
    private final AVRational timeBase;
    private final int width;
    private final int height;
    /** 1, 2 or 4 for length-prefixed packets (avcC extradata); 0 for packets that are Annex-B already. */
    private final int lengthSize;
    private final byte[] streamParameterSets;
    private final MediaClock clock;
    private final Deque<Packet> probed = new ArrayDeque<>();
    private final boolean reordered;
    private byte[] accessUnit;
    private boolean keyFrame;
    private long timestamp;

    private record Packet(byte[] data, long pts) {
    }

    /**
     * Takes over the started grabber ({@link #close()} releases it) and reads the first packets to see
     * whether they are reordered.
     *
     * @throws SourceException when the stream's codec configuration is malformed, or reading fails
     */
    PacketReader(FFmpegFrameGrabber grabber) throws SourceException {
        this.grabber = grabber;
        this.streamIndex = grabber.getVideoStream();
        AVStream stream = grabber.getFormatContext().streams(streamIndex);
        AVCodecParameters parameters = stream.codecpar();
        this.timeBase = stream.time_base();
        this.width = parameters.width();
        this.height = parameters.height();
        byte[] extradata = new byte[Math.max(0, parameters.extradata_size())];
        if (extradata.length > 0) {
            parameters.extradata().get(extradata);
        }
        try {
            this.lengthSize = extradata.length == 0 || AnnexB.isAnnexB(extradata) ? 0 : AnnexB.lengthSize(extradata);
            this.streamParameterSets = extradata.length == 0 ? null : AnnexB.parameterSetsFromAvcC(extradata);
        } catch (IllegalArgumentException e) {
            throw new SourceException("the H.264 stream's codec configuration is malformed: " + e.getMessage(), e);
        }
        this.clock = new MediaClock(grabber.getFrameRate());
        this.reordered = probe();
    }

    /** Whether the stream's presentation order differs from its decoding order (B-frames). */
    boolean reordered() {
        return reordered;
    }

    private boolean probe() throws SourceException {
        long highest = Long.MIN_VALUE;
        boolean reorder = false;
        while (probed.size() < PROBE_PACKETS) {
            Packet p = read();
            if (p == null) {
                break;
            }
            probed.add(p);
            if (p.pts() != AV_NOPTS_VALUE) {
                reorder |= p.pts() < highest;
                highest = Math.max(highest, p.pts());
            }
        }
        return reorder;
    }

    @Override
    public boolean next() throws SourceException {
        Packet p = probed.isEmpty() ? read() : probed.poll();
        if (p == null) {
            return false;
        }
        try {
            accessUnit = lengthSize == 0 ? p.data() : AnnexB.fromLengthPrefixed(p.data(), lengthSize);
        } catch (IllegalArgumentException e) {
            throw new SourceException("damaged H.264 packet: " + e.getMessage(), e);
        }
        keyFrame = AnnexB.containsIdr(accessUnit);
        timestamp = clock.next(p.pts() == AV_NOPTS_VALUE ? MediaClock.UNKNOWN
                : Math.round(p.pts() * 1e6 * timeBase.num() / timeBase.den()));
        return true;
    }

    /** The next packet of the video stream, copied out of FFmpeg's buffer; null at the end of the stream. */
    private Packet read() throws SourceException {
        while (true) {
            AVPacket packet;
            try {
                packet = grabber.grabPacket();
            } catch (FrameGrabber.Exception e) {
                throw new SourceException("reading failed: " + SourceOpener.describe(e), e);
            }
            if (packet == null) {
                return null;
            }
            try {
                if (packet.stream_index() == streamIndex && packet.size() > 0) {
                    byte[] data = new byte[packet.size()];
                    packet.data().get(data);
                    return new Packet(data, packet.pts() != AV_NOPTS_VALUE ? packet.pts() : packet.dts());
                }
            } finally {
                // grabPacket hands over av_read_frame's reference: ours to drop, or every packet leaks.
                av_packet_unref(packet);
            }
        }
    }

    @Override
    public long timestampMicros() {
        return timestamp;
    }

    @Override
    public boolean keyFrame() {
        return keyFrame;
    }

    @Override
    public Encoded encode() {
        byte[] config = null;
        if (keyFrame) {
            byte[] inBand = AnnexB.parameterSets(accessUnit);
            config = inBand != null ? inBand : streamParameterSets;
        }
        return new Encoded(Codec.H264, width, height, accessUnit, keyFrame, config);
    }

    @Override
    public String describe() {
        return "H.264 passed through (not re-encoded)";
    }

    @Override
    public void close() {
        SourceOpener.release(grabber);
    }
}
