package dev.framewise.demo;

import dev.framewise.operators.codec.EncodedFrame;
import dev.framewise.operators.codec.H264Encoder;
import dev.framewise.operators.codec.ImageEncoder;
import dev.framewise.schemas.Codec;
import dev.framewise.schemas.DeadLetterReason;
import dev.framewise.schemas.SingleObjectCodec;
import dev.framewise.schemas.VideoFrame;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;

/**
 * A camera that films a moving picture — a drifting colour gradient with a bright square crossing
 * it, different for each camera — and hands out its frames as JPEG pictures or an H.264 stream in
 * {@link VideoFrame} records, or, on request, as one of the broken records a real fleet produces. Reuses its picture
 * buffer and encoder; not thread-safe.
 */
public final class SyntheticCamera implements AutoCloseable {

    /** Ways a frame can be broken, each with the dead-letter reason Framewise must give it. */
    public enum Defect {
        /** Bytes that are not a VideoFrame at all. */
        UNREADABLE(DeadLetterReason.UNREADABLE_RECORD),
        /** A codec this job does not decode. */
        UNSUPPORTED_CODEC(DeadLetterReason.UNSUPPORTED_CODEC),
        /** A JPEG whose data the decoder rejects. */
        CORRUPT_JPEG(DeadLetterReason.CORRUPT_IMAGE),
        /** A JPEG cut off in the middle. */
        TRUNCATED_JPEG(DeadLetterReason.TRUNCATED_IMAGE),
        /** A JPEG that is not the declared size. */
        SIZE_MISMATCH(DeadLetterReason.SIZE_MISMATCH),
        /** A JPEG whose header declares more pixels than any sane limit (10000 x 10000). */
        TOO_LARGE(DeadLetterReason.IMAGE_TOO_LARGE);

        private final DeadLetterReason reason;

        Defect(DeadLetterReason reason) {
            this.reason = reason;
        }

        public DeadLetterReason reason() {
            return reason;
        }
    }

    private final String cameraId;
    private final int width;
    private final int height;
    private final int quality;
    private final float hue;
    private final byte[] rgb;
    private final ImageEncoder encoder = new ImageEncoder();
    private final H264Encoder h264;

    /** A camera that sends JPEG pictures. */
    public SyntheticCamera(String cameraId, int width, int height, int quality) {
        this(cameraId, width, height, quality, 0);
    }

    /**
     * @param keyFrameInterval 0 for JPEG pictures; otherwise the camera sends H.264 with a key frame
     *     every {@code keyFrameInterval} frames
     */
    public SyntheticCamera(String cameraId, int width, int height, int quality, int keyFrameInterval) {
        this.cameraId = cameraId;
        this.width = width;
        this.height = height;
        this.quality = quality;
        this.hue = (cameraId.hashCode() & 0xffff) / 65536f;
        this.rgb = new byte[width * height * 3];
        this.h264 = keyFrameInterval > 0 ? new H264Encoder(width, height, 10, keyFrameInterval, 800) : null;
    }

    public String cameraId() {
        return cameraId;
    }

    /** The frame at {@code sequence} as a record value: JPEG, or broken as {@code defect} says (null: intact). */
    public byte[] record(long sequence, Instant captured, Defect defect) {
        if (defect == Defect.UNREADABLE) {
            return ("not a frame: camera " + cameraId + " #" + sequence).getBytes(StandardCharsets.UTF_8);
        }
        if (h264 != null) {
            if (defect != null) {
                throw new IllegalArgumentException("an H.264 camera breaks frames only as UNREADABLE, not " + defect);
            }
            return h264Record(sequence, captured);
        }
        byte[] jpeg = jpeg(sequence);
        Codec codec = Codec.JPEG;
        int w = width;
        int h = height;
        if (defect != null) {
            switch (defect) {
                case UNSUPPORTED_CODEC -> codec = Codec.UNKNOWN;
                case CORRUPT_JPEG -> jpeg = corrupt(jpeg);
                case TRUNCATED_JPEG -> jpeg = Arrays.copyOf(jpeg, jpeg.length / 2);
                case SIZE_MISMATCH -> {
                    w = width / 2;
                    h = height / 2;
                }
                case TOO_LARGE -> {
                    jpeg = withDeclaredSize(jpeg, 10_000, 10_000);
                    w = 10_000;
                    h = 10_000;
                }
                default -> throw new IllegalStateException(defect.name());
            }
        }
        VideoFrame frame = VideoFrame.newBuilder()
                .setCameraId(cameraId)
                .setSequence(sequence)
                .setCaptureTime(captured)
                .setCodec(codec)
                .setKeyFrame(true)
                .setWidth(w)
                .setHeight(h)
                .setPayload(ByteBuffer.wrap(jpeg))
                .setHeaders(Map.of("source", "framewise-synthetic"))
                .build();
        return SingleObjectCodec.VIDEO_FRAME.encode(frame);
    }

    /** Frame {@code t} as a JPEG picture, without a record around it. */
    public byte[] jpeg(long t) {
        return encoder.jpeg(draw(t), width, height, quality);
    }

    /** The next H.264 access unit: frames must be asked for in sequence, as a camera films them. */
    private byte[] h264Record(long sequence, Instant captured) {
        EncodedFrame encoded = h264.encode(draw(sequence));
        VideoFrame frame = VideoFrame.newBuilder()
                .setCameraId(cameraId)
                .setSequence(sequence)
                .setCaptureTime(captured)
                .setCodec(Codec.H264)
                .setWidth(width)
                .setHeight(height)
                .setPayload(ByteBuffer.wrap(encoded.accessUnit()))
                .setKeyFrame(encoded.keyFrame())
                .setCodecConfig(encoded.codecConfig() == null ? null : ByteBuffer.wrap(encoded.codecConfig()))
                .setHeaders(Map.of("source", "framewise-synthetic"))
                .build();
        return SingleObjectCodec.VIDEO_FRAME.encode(frame);
    }

    /** Draws frame {@code t} into the reused buffer. */
    private byte[] draw(long t) {
        int square = Math.max(8, Math.min(width, height) / 5);
        int sx = (int) ((t * 7) % Math.max(1, width - square));
        int sy = (int) ((height - square) / 2 + (height / 4) * Math.sin(t / 9.0));
        float shift = (t % 240) / 240f;
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int i = (y * width + x) * 3;
                boolean inSquare = x >= sx && x < sx + square && y >= sy && y < sy + square;
                if (inSquare) {
                    rgb[i] = (byte) 250;
                    rgb[i + 1] = (byte) 250;
                    rgb[i + 2] = (byte) 240;
                } else {
                    float u = (float) x / width + shift;
                    float v = (float) y / height;
                    rgb[i] = (byte) (127 + 120 * Math.sin(6.283 * (u + hue)));
                    rgb[i + 1] = (byte) (127 + 120 * Math.sin(6.283 * (v + hue + 0.33)));
                    rgb[i + 2] = (byte) (127 + 120 * Math.sin(6.283 * (u + v + hue + 0.66)));
                }
            }
        }
        return rgb;
    }

    /**
     * Keeps the JPEG's start and end markers but replaces everything between with noise, so that
     * it looks like a JPEG and ends like one but cannot be decoded.
     */
    private static byte[] corrupt(byte[] jpeg) {
        byte[] out = jpeg.clone();
        long x = 0x9E3779B97F4A7C15L;
        for (int i = 2; i < out.length - 2; i++) {
            x ^= x << 13;
            x ^= x >>> 7;
            x ^= x << 17;
            byte b = (byte) x;
            out[i] = b == (byte) 0xFF ? 0 : b; // no marker bytes: the noise must not parse as segments
        }
        return out;
    }

    /** Rewrites the size in the JPEG's start-of-frame header (SOF0..SOF2) without touching the data. */
    static byte[] withDeclaredSize(byte[] jpeg, int w, int h) {
        byte[] out = jpeg.clone();
        for (int i = 2; i + 8 < out.length; i++) {
            int marker = out[i + 1] & 0xff;
            if ((out[i] & 0xff) == 0xFF && marker >= 0xC0 && marker <= 0xC2) {
                out[i + 5] = (byte) (h >> 8);
                out[i + 6] = (byte) h;
                out[i + 7] = (byte) (w >> 8);
                out[i + 8] = (byte) w;
                return out;
            }
        }
        throw new IllegalStateException("no start-of-frame marker in the JPEG");
    }

    @Override
    public void close() {
        encoder.close();
        if (h264 != null) {
            h264.close();
        }
    }
}
