package dev.framewise.ingest;

import dev.framewise.operators.codec.EncodedFrame;
import dev.framewise.operators.codec.H264Encoder;
import dev.framewise.schemas.Codec;
import java.util.Locale;

/**
 * Pictures re-encoded as H.264 with {@link H264Encoder}: a key frame every 2 s of frames, and as the
 * first frame, so each connection starts at one. 4:2:0 chroma needs even sizes: an odd last column
 * or row is cropped.
 */
final class H264Pictures implements PictureEncoder {
    /** Without --bitrate: 0.1 bit per pixel, about 770 kbit/s for 640x480 at 25 frames/s. */
    private static final double BITS_PER_PIXEL = 0.1;

    private final double fps;
    private final int keyFrameInterval;
    private final int bitrateKbps;
    private final String reason;
    private H264Encoder encoder;
    private byte[] cropped = new byte[0];
    private int width;
    private int height;

    /**
     * @param fps the frame rate the pictures come at
     * @param bitrateKbps the target; 0 to size it from the picture and the frame rate
     * @param reason why the source is re-encoded, for {@link #describe()}
     */
    H264Pictures(double fps, int bitrateKbps, String reason) {
        this.fps = fps;
        this.keyFrameInterval = Math.max(1, (int) Math.round(2 * fps));
        this.bitrateKbps = bitrateKbps;
        this.reason = reason;
    }

    @Override
    public Encoded encode(byte[] rgb, int pictureWidth, int pictureHeight) {
        int w = pictureWidth & ~1;
        int h = pictureHeight & ~1;
        if (encoder == null || w != width || h != height) {
            // A new size needs a new encoder, which starts with a key frame and its own SPS.
            close();
            encoder = new H264Encoder(w, h, fps, keyFrameInterval, bitrate(w, h));
            width = w;
            height = h;
        }
        EncodedFrame frame = encoder.encode(crop(rgb, pictureWidth, pictureHeight));
        return new Encoded(Codec.H264, w, h, frame.accessUnit(), frame.keyFrame(), frame.codecConfig());
    }

    private int bitrate(int w, int h) {
        return bitrateKbps > 0 ? bitrateKbps : (int) Math.max(50, Math.round(w * h * fps * BITS_PER_PIXEL / 1000));
    }

    private byte[] crop(byte[] rgb, int pictureWidth, int pictureHeight) {
        if (width == pictureWidth && height == pictureHeight) {
            return rgb;
        }
        if (cropped.length != width * height * 3) {
            cropped = new byte[width * height * 3];
        }
        for (int y = 0; y < height; y++) {
            System.arraycopy(rgb, y * pictureWidth * 3, cropped, y * width * 3, width * 3);
        }
        return cropped;
    }

    @Override
    public String describe() {
        return String.format(Locale.ROOT, "H.264 re-encoded (%s), a key frame every %d frames, %s", reason,
                keyFrameInterval, bitrateKbps > 0 ? bitrateKbps + " kbit/s" : "0.1 bit per pixel");
    }

    @Override
    public void close() {
        if (encoder != null) {
            encoder.close();
            encoder = null;
        }
    }
}
