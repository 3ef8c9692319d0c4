package dev.framewise.ingest;

import java.nio.ByteBuffer;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.Frame;
import org.bytedeco.javacv.FrameGrabber;

/** Decodes the source's pictures to RGB24 and hands them to a {@link PictureEncoder}. */
final class PictureReader implements FrameReader {
    private final FFmpegFrameGrabber grabber;
    private final PictureEncoder encoder;
    private final MediaClock clock;
    private byte[] rgb = new byte[0];
    private int width;
    private int height;
    private long timestamp;
    private boolean keyFrame;

    /** Takes over the grabber, started with RGB24 output, and the encoder: {@link #close()} frees both. */
    PictureReader(FFmpegFrameGrabber grabber, PictureEncoder encoder) {
        this.grabber = grabber;
        this.encoder = encoder;
        this.clock = new MediaClock(grabber.getFrameRate());
    }

    @Override
    public boolean next() throws SourceException {
        Frame frame;
        try {
            frame = grabber.grabImage();
        } catch (FrameGrabber.Exception e) {
            throw new SourceException("reading failed: " + SourceOpener.describe(e), e);
        }
        if (frame == null) {
            return false;
        }
        copy(frame);
        timestamp = clock.next(frame.timestamp);
        keyFrame = frame.keyFrame;
        return true;
    }

    /** The picture without the row padding the decoder's buffer may have: what the encoders take. */
    private void copy(Frame frame) {
        width = frame.imageWidth;
        height = frame.imageHeight;
        int row = width * 3;
        if (rgb.length != row * height) {
            rgb = new byte[row * height];
        }
        ByteBuffer image = (ByteBuffer) frame.image[0];
        for (int y = 0; y < height; y++) {
            image.get(y * frame.imageStride, rgb, y * row, row);
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
        return encoder.encode(rgb, width, height);
    }

    @Override
    public String describe() {
        return encoder.describe();
    }

    @Override
    public void close() {
        encoder.close();
        SourceOpener.release(grabber);
    }
}
