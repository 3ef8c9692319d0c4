package dev.framewise.operators.codec;

import static org.bytedeco.ffmpeg.global.avcodec.AV_INPUT_BUFFER_PADDING_SIZE;
import static org.bytedeco.ffmpeg.global.avutil.AVCOL_RANGE_JPEG;
import static org.bytedeco.ffmpeg.global.avutil.AVCOL_SPC_RGB;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_RGB24;

import dev.framewise.model.Preprocessing;
import dev.framewise.schemas.Codec;
import dev.framewise.schemas.DeadLetterReason;
import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.util.Locale;
import java.util.Objects;
import org.bytedeco.ffmpeg.avutil.AVFrame;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerPointer;

/**
 * Turns one encoded video frame into model input, exactly as timm evaluates: resize so the short side is
 * {@link Preprocessing#resizeSize()} (aspect ratio kept), center-crop {@link Preprocessing#inputSize()}
 * square, scale to [0, 1], normalize per channel, planar R, G, B.
 *
 * <p>The per-frame hot path: every native context and buffer is made once and reused (grown only for a
 * larger picture), and bad data ends in a {@link FrameRejectedException}, never in a crash. Before any
 * decoder runs, the picture's size is read from its own header and checked against {@code maxPixels}, so a
 * small payload cannot make the decoder allocate a huge picture.
 *
 * <p>One instance per operator instance: not thread-safe. {@link #close()} frees the native memory.
 */
public final class FrameDecoder implements AutoCloseable {
    /** Keeps every buffer this class sizes from {@code maxPixels} (3 bytes a pixel, plus row padding) in int range. */
    public static final long MAX_PIXELS_LIMIT = Integer.MAX_VALUE / 4;
    private static final ByteBuffer NO_PAYLOAD = ByteBuffer.allocate(0).asReadOnlyBuffer();

    private final long maxPixels;
    private final boolean scaleDownJpeg;
    private final NativeBuffer input;
    private final ImageHeader header = new ImageHeader();
    private final PictureDecoder pictures;
    private final PicturePreprocessor preprocessor;
    // Four entries, as sws_scale reads four planes: shorter arrays make it read foreign memory.
    private final PointerPointer<BytePointer> rawData = new PointerPointer<>(4);
    private final IntPointer rawStride = new IntPointer(4);
    private boolean closed;

    /**
     * @param maxPixels the largest picture accepted, in pixels (width times height); the resized picture must
     *     fit in it too, which bounds the aspect ratio
     */
    public FrameDecoder(Preprocessing preprocessing, long maxPixels) {
        this(preprocessing, maxPixels, false);
    }

    /**
     * @param scaleDownJpeg decode JPEGs at a half, quarter or eighth of their size when that still leaves
     *     the short side at least the resize size (FFmpeg's {@code lowres}): a 640x480 JPEG for a 224 model
     *     decodes at 320x240, in a fraction of the time; the picture differs slightly from a full decode
     *     followed by the resize
     */
    public FrameDecoder(Preprocessing preprocessing, long maxPixels, boolean scaleDownJpeg) {
        this.scaleDownJpeg = scaleDownJpeg;
        this.preprocessor = new PicturePreprocessor(preprocessing, maxPixels);
        this.maxPixels = maxPixels;
        for (int i = 0; i < 4; i++) {
            rawData.put(i, (Pointer) null);
            rawStride.put(i, 0);
        }
        this.input = new NativeBuffer(AV_INPUT_BUFFER_PADDING_SIZE);
        // Last, as the only step that allocates FFmpeg memory up front: nothing before it can fail after it.
        this.pictures = new PictureDecoder(maxPixels, input);
    }

    /** Floats that {@link #decode} writes per frame: {@code 3 * inputSize * inputSize}. */
    public int floatsPerFrame() {
        return preprocessor.floats();
    }

    /**
     * Decodes and preprocesses one frame into {@code out[offset, offset + floatsPerFrame())}, with absolute
     * puts (neither {@code out}'s nor {@code payload}'s position moves).
     *
     * @param width the declared width; the picture must have exactly this size
     * @param payload the encoded picture: its remaining bytes
     * @throws FrameRejectedException when the data cannot become model input; the decoder stays usable
     * @throws IndexOutOfBoundsException when {@code out} has no room at {@code offset} (a caller's bug, not
     *     bad data)
     */
    public void decode(Codec codec, int width, int height, ByteBuffer payload, FloatBuffer out, int offset)
            throws FrameRejectedException {
        if (closed) {
            throw new IllegalStateException("decoder is closed");
        }
        Objects.requireNonNull(out, "out");
        if (out.isReadOnly()) {
            throw new IllegalArgumentException("out is read-only");
        }
        Objects.checkFromIndexSize(offset, preprocessor.floats(), out.limit());
        if (codec == null || codec == Codec.UNKNOWN) {
            throw new FrameRejectedException(DeadLetterReason.UNSUPPORTED_CODEC,
                    "codec " + codec + " is not supported; expected JPEG, PNG or RAW_RGB24");
        }
        if (width <= 0 || height <= 0) {
            throw new FrameRejectedException(DeadLetterReason.SIZE_MISMATCH, String.format(Locale.ROOT,
                    "declared size %dx%d is not positive", width, height));
        }
        ByteBuffer data = payload == null ? NO_PAYLOAD : payload;
        switch (codec) {
            case JPEG, PNG -> decodePicture(codec, width, height, data);
            case RAW_RGB24 -> decodeRaw(width, height, data);
            default -> throw new FrameRejectedException(DeadLetterReason.UNSUPPORTED_CODEC,
                    "codec " + codec + " is not supported; expected JPEG, PNG or RAW_RGB24");
        }
        preprocessor.writeModelInput(out, offset);
    }

    /** Frees every native resource; later calls do nothing. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        pictures.close();
        preprocessor.close();
        input.close();
        rawData.close();
        rawStride.close();
    }

    private void decodePicture(Codec codec, int width, int height, ByteBuffer data) throws FrameRejectedException {
        if (!data.hasRemaining()) {
            throw new FrameRejectedException(DeadLetterReason.CORRUPT_IMAGE, codec + " payload is empty");
        }
        if (codec == Codec.JPEG) {
            header.readJpegSize(data);
        } else {
            header.readPngSize(data);
        }
        checkPixels(codec == Codec.JPEG ? "JPEG header declares" : "PNG header declares", header.width(),
                header.height());
        if (codec == Codec.JPEG) {
            ImageHeader.checkJpegEnd(data);
        } else {
            ImageHeader.checkPngEnd(data);
        }
        if (header.width() != width || header.height() != height) {
            throw new FrameRejectedException(DeadLetterReason.SIZE_MISMATCH, String.format(Locale.ROOT,
                    "%s header says %dx%d but the frame declares %dx%d", codec, header.width(), header.height(),
                    width, height));
        }
        preprocessor.plan(width, height, preprocessor.resizeSize());
        if (data.remaining() > Integer.MAX_VALUE - AV_INPUT_BUFFER_PADDING_SIZE) {
            throw new FrameRejectedException(DeadLetterReason.IMAGE_TOO_LARGE, String.format(Locale.ROOT,
                    "%s payload of %d bytes is too large to decode", codec, data.remaining()));
        }
        int lowres = codec == Codec.JPEG && scaleDownJpeg ? lowresFor(width, height, preprocessor.resizeSize()) : 0;
        pictures.decode(codec, data, lowres);
        try {
            AVFrame frame = pictures.frame();
            int decodedWidth = -(-width >> lowres);
            int decodedHeight = -(-height >> lowres);
            if (frame.width() != decodedWidth || frame.height() != decodedHeight) {
                throw new FrameRejectedException(DeadLetterReason.SIZE_MISMATCH, String.format(Locale.ROOT,
                        "%s decoded to %dx%d but its header and the frame declare %dx%d", codec,
                        frame.width() << lowres, frame.height() << lowres, width, height));
            }
            preprocessor.scale(pictures.frameData(), pictures.frameLinesize(), decodedWidth, decodedHeight,
                    frame.format(), frame.colorspace(), frame.color_range() == AVCOL_RANGE_JPEG);
        } finally {
            pictures.release();
        }
    }

    /**
     * How many halvings (0 to 3, FFmpeg's limit) a JPEG of this size can take in the decoder and still
     * be at least {@code shortSide} on its short side: the resize after it then only shrinks a little.
     */
    static int lowresFor(int width, int height, int shortSide) {
        int shorter = Math.min(width, height);
        int lowres = 0;
        while (lowres < 3 && -(-shorter >> (lowres + 1)) >= shortSide) {
            lowres++;
        }
        return lowres;
    }

    private void decodeRaw(int width, int height, ByteBuffer data) throws FrameRejectedException {
        checkPixels("RAW_RGB24 frame declares", width, height);
        long expected = 3L * width * height;
        if (data.remaining() != expected) {
            throw new FrameRejectedException(DeadLetterReason.SIZE_MISMATCH, String.format(Locale.ROOT,
                    "RAW_RGB24 payload has %d bytes but %dx%dx3 = %d were expected", data.remaining(), width,
                    height, expected));
        }
        preprocessor.plan(width, height, preprocessor.resizeSize());
        input.copyFrom(data);
        rawData.put(0, input.pointer());
        rawStride.put(0, 3 * width);
        preprocessor.scale(rawData, rawStride, width, height, AV_PIX_FMT_RGB24, AVCOL_SPC_RGB, true);
    }

    private void checkPixels(String what, long width, long height) throws FrameRejectedException {
        if (width * height > maxPixels) {
            throw new FrameRejectedException(DeadLetterReason.IMAGE_TOO_LARGE, String.format(Locale.ROOT,
                    "%s %dx%d = %d pixels, more than the limit of %d", what, width, height, width * height,
                    maxPixels));
        }
    }
}
