package dev.framewise.operators.codec;

import static org.bytedeco.ffmpeg.global.avcodec.AV_INPUT_BUFFER_PADDING_SIZE;
import static org.bytedeco.ffmpeg.global.avutil.AVCOL_RANGE_JPEG;

import dev.framewise.model.Preprocessing;
import dev.framewise.schemas.DeadLetterReason;
import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.util.Locale;
import java.util.Objects;
import org.bytedeco.ffmpeg.avutil.AVFrame;

/**
 * Decodes one camera's H.264 stream frame by frame into model input, preprocessed exactly as {@link FrameDecoder}
 * preprocesses a JPEG of the same picture. Frames come as the topics carry them: one Annex-B access unit each, in
 * decoding order, without B-frames, and key frames (IDR) with the SPS and PPS in {@code codec_config}.
 *
 * <p>A P-frame only decodes on top of the pictures before it, back to the last IDR. So the decoder starts out
 * waiting for a key frame, rejects other frames with {@link DeadLetterReason#MISSING_KEY_FRAME} meanwhile, and
 * goes back to waiting whenever a frame is lost to it: one that fails to decode, one rejected before decoding,
 * or a gap the caller reports with {@link #reset()}. Otherwise a damaged or missing reference would spoil every
 * picture up to the next IDR, silently.
 *
 * <p>One instance per camera and thread: not thread-safe. Every native context and buffer is made once and
 * reused; {@link #close()} frees them.
 */
public final class H264StreamDecoder implements AutoCloseable {
    private static final ByteBuffer NO_PAYLOAD = ByteBuffer.allocate(0).asReadOnlyBuffer();

    private final long maxPixels;
    private final NativeBuffer input;
    private final H264Decoder decoder;
    private final PicturePreprocessor preprocessor;
    private boolean awaitingKeyFrame = true;
    private boolean closed;

    /**
     * @param maxPixels the largest picture accepted, in pixels (width times height), between the resized
     *     picture's size and {@link FrameDecoder#MAX_PIXELS_LIMIT}; the resized picture must fit in it too
     */
    public H264StreamDecoder(Preprocessing preprocessing, long maxPixels) {
        this.preprocessor = new PicturePreprocessor(preprocessing, maxPixels);
        this.maxPixels = maxPixels;
        this.input = new NativeBuffer(AV_INPUT_BUFFER_PADDING_SIZE);
        // Last, as the only step that allocates FFmpeg memory up front: nothing before it can fail after it.
        this.decoder = new H264Decoder(maxPixels, input);
    }

    /** Floats that {@link #decode} writes per frame: {@code 3 * inputSize * inputSize}. */
    public int floatsPerFrame() {
        return preprocessor.floats();
    }

    /**
     * Decodes one frame of the stream and preprocesses its picture into {@code out[offset, offset +
     * floatsPerFrame())}, with absolute puts (no position moves).
     *
     * @param width the declared width; the picture must have exactly this size
     * @param keyFrame whether the frame is an IDR, from which decoding can start
     * @param codecConfig a key frame's SPS and PPS (Annex-B), fed to the decoder before its access unit; null or
     *     empty when the access unit carries them in band; ignored for other frames
     * @param accessUnit the access unit, Annex-B: its remaining bytes
     * @throws FrameRejectedException when the frame cannot become model input; the decoder stays usable, and
     *     waits for the next key frame when the frame was lost to the stream
     * @throws IndexOutOfBoundsException when {@code out} has no room at {@code offset} (a caller's bug, not bad
     *     data)
     */
    public void decode(int width, int height, boolean keyFrame, ByteBuffer codecConfig, ByteBuffer accessUnit,
            FloatBuffer out, int offset) throws FrameRejectedException {
        checkOpen();
        Objects.requireNonNull(out, "out");
        if (out.isReadOnly()) {
            throw new IllegalArgumentException("out is read-only");
        }
        Objects.checkFromIndexSize(offset, preprocessor.floats(), out.limit());
        decodeAndScale(width, height, keyFrame, codecConfig, accessUnit, preprocessor.resizeSize());
        preprocessor.writeModelInput(out, offset);
    }

    /**
     * Decodes one frame of the stream like {@link #decode} but makes no model input from it: for a frame
     * dropped on purpose, which later frames still refer to.
     */
    public void decodeOnly(int width, int height, boolean keyFrame, ByteBuffer codecConfig, ByteBuffer accessUnit)
            throws FrameRejectedException {
        checkOpen();
        decodeAndScale(width, height, keyFrame, codecConfig, accessUnit, 0);
    }

    /**
     * Decodes one frame of the stream like {@link #decode}, but returns its picture resized (aspect ratio kept, with
     * the configured interpolation) so that its short side is {@code shortSide}, as a new RGB24 array: for
     * decoding upstream of a shuffle, where whole pictures travel.
     *
     * @throws IllegalArgumentException when {@code shortSide} is not positive
     */
    public RgbPicture decodeScaled(int width, int height, boolean keyFrame, ByteBuffer codecConfig,
            ByteBuffer accessUnit, int shortSide) throws FrameRejectedException {
        checkOpen();
        if (shortSide <= 0) {
            throw new IllegalArgumentException("shortSide must be positive, got " + shortSide);
        }
        decodeAndScale(width, height, keyFrame, codecConfig, accessUnit, shortSide);
        return preprocessor.copyResized();
    }

    /**
     * Forgets the stream, for example after a gap in the camera's sequence: the next frame must be a key frame.
     * The parameter sets seen so far are kept.
     */
    public void reset() {
        checkOpen();
        decoder.flush();
        awaitingKeyFrame = true;
    }

    /** Whether only a key frame can be decoded next: since construction, {@link #reset()} or a lost frame. */
    public boolean awaitingKeyFrame() {
        return awaitingKeyFrame;
    }

    /** Frees every native resource; later calls do nothing. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        decoder.close();
        preprocessor.close();
        input.close();
    }

    /** Decodes, then resizes so that the short side is {@code shortSide}; 0 decodes only. */
    private void decodeAndScale(int width, int height, boolean keyFrame, ByteBuffer codecConfig,
            ByteBuffer accessUnit, int shortSide) throws FrameRejectedException {
        if (width <= 0 || height <= 0) {
            throw lost(DeadLetterReason.SIZE_MISMATCH, String.format(Locale.ROOT,
                    "declared size %dx%d is not positive", width, height));
        }
        if ((long) width * height > maxPixels) {
            throw lost(DeadLetterReason.IMAGE_TOO_LARGE, String.format(Locale.ROOT,
                    "H.264 frame declares %dx%d = %d pixels, more than the limit of %d", width, height,
                    (long) width * height, maxPixels));
        }
        if (awaitingKeyFrame && !keyFrame) {
            throw new FrameRejectedException(DeadLetterReason.MISSING_KEY_FRAME,
                    "not a key frame, and the stream has had none since the decoder started, was reset or lost a"
                            + " frame" + H264Decoder.WAITING);
        }
        ByteBuffer unit = accessUnit == null ? NO_PAYLOAD : accessUnit;
        ByteBuffer config = keyFrame && codecConfig != null ? codecConfig : NO_PAYLOAD;
        if (!unit.hasRemaining()) {
            throw lost(DeadLetterReason.TRUNCATED_IMAGE, "H.264 access unit is empty");
        }
        if (awaitingKeyFrame) {
            int types = AnnexB.nalTypes(unit);
            if ((types & AnnexB.SLICES) == 0) {
                // A key frame's parameter sets without its picture: cut short.
                throw lost(DeadLetterReason.TRUNCATED_IMAGE, String.format(Locale.ROOT,
                        "H.264 key frame's access unit of %d bytes holds no slice", unit.remaining()));
            }
            if ((types & 1 << AnnexB.NAL_IDR) == 0) {
                throw lost(DeadLetterReason.CORRUPT_IMAGE,
                        "frame is flagged as a key frame but its access unit holds no IDR slice to start from");
            }
        }
        if ((long) config.remaining() + unit.remaining() > Integer.MAX_VALUE - AV_INPUT_BUFFER_PADDING_SIZE) {
            throw lost(DeadLetterReason.IMAGE_TOO_LARGE, String.format(Locale.ROOT,
                    "H.264 access unit of %d bytes is too large to decode", unit.remaining()));
        }
        input.copyFrom(config, unit);
        // Until this access unit has decoded, the stream's references are in doubt.
        awaitingKeyFrame = true;
        decoder.decode(config.remaining(), unit.remaining());
        awaitingKeyFrame = false;
        try {
            AVFrame frame = decoder.frame();
            // The picture decoded fine and stays a valid reference: these rejections leave the stream running.
            if (frame.width() != width || frame.height() != height) {
                throw new FrameRejectedException(DeadLetterReason.SIZE_MISMATCH, String.format(Locale.ROOT,
                        "H.264 picture is %dx%d but the frame declares %dx%d", frame.width(), frame.height(), width,
                        height));
            }
            if (shortSide > 0) {
                preprocessor.plan(width, height, shortSide);
                preprocessor.scale(decoder.frameData(), decoder.frameLinesize(), width, height, frame.format(),
                        frame.colorspace(), frame.color_range() == AVCOL_RANGE_JPEG);
            }
        } finally {
            decoder.release();
        }
    }

    /** A frame the decoder never sees breaks the chain of references: wait for the next key frame. */
    private FrameRejectedException lost(DeadLetterReason reason, String message) {
        decoder.flush();
        awaitingKeyFrame = true;
        return new FrameRejectedException(reason, message + H264Decoder.WAITING);
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("decoder is closed");
        }
    }
}
