package dev.framewise.operators.codec;

import static org.bytedeco.ffmpeg.global.swscale.SWS_BICUBIC;
import static org.bytedeco.ffmpeg.global.swscale.SWS_BILINEAR;
import static org.bytedeco.ffmpeg.global.swscale.SWS_POINT;

import dev.framewise.model.Preprocessing;
import dev.framewise.schemas.DeadLetterReason;
import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.util.Locale;
import java.util.Objects;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.PointerPointer;

/**
 * What every decoder does to its picture, as timm evaluates: resize so the short side has a given length (aspect
 * ratio kept, with the configured interpolation), then center-crop and normalize into model input, or hand the
 * resized picture out as RGB24. Shared by the decoders so that JPEG, PNG, raw and H.264 frames of one picture
 * become the same input. Not thread-safe: it reuses its buffers.
 */
final class PicturePreprocessor implements AutoCloseable {
    /** PIL's bicubic kernel (a = -0.5), which timm's evaluation uses; swscale's default is C = 0.6. */
    private static final double[] PIL_BICUBIC = {0.0, 0.5};

    private final long maxPixels;
    private final int inputSize;
    private final int resizeSize;
    private final RgbScaler scaler;
    private final CropNormalizer normalizer;
    private int resizedWidth;
    private int resizedHeight;

    /**
     * @param maxPixels the largest picture accepted, in pixels; the resized picture must fit in it too, which
     *     bounds the aspect ratio
     * @throws IllegalArgumentException when {@code maxPixels} is below the resized picture's smallest size or
     *     above {@link FrameDecoder#MAX_PIXELS_LIMIT}
     */
    PicturePreprocessor(Preprocessing preprocessing, long maxPixels) {
        Objects.requireNonNull(preprocessing, "preprocessing");
        this.inputSize = preprocessing.inputSize();
        this.resizeSize = preprocessing.resizeSize();
        long smallest = (long) resizeSize * resizeSize;
        if (maxPixels < smallest || maxPixels > FrameDecoder.MAX_PIXELS_LIMIT) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "maxPixels must be between %d (the resized picture of %s) and %d, got %d", smallest,
                    preprocessing, FrameDecoder.MAX_PIXELS_LIMIT, maxPixels));
        }
        this.maxPixels = maxPixels;
        this.normalizer = new CropNormalizer(inputSize, preprocessing.mean(), preprocessing.std());
        this.scaler = switch (preprocessing.interpolation()) {
            case "bicubic" -> new RgbScaler(SWS_BICUBIC, PIL_BICUBIC);
            case "bilinear" -> new RgbScaler(SWS_BILINEAR, null);
            case "nearest" -> new RgbScaler(SWS_POINT, null);
            default -> throw new IllegalArgumentException(
                    "unknown interpolation '" + preprocessing.interpolation() + "'");
        };
    }

    /** Floats that {@link #writeModelInput} writes: {@code 3 * inputSize * inputSize}. */
    int floats() {
        return normalizer.floats();
    }

    /** The short side that model input is cropped from: {@link Preprocessing#resizeSize()}. */
    int resizeSize() {
        return resizeSize;
    }

    /**
     * Fixes the size the next {@link #scale} resizes to: the short side becomes {@code shortSide} and the long
     * side {@code floor(shortSide * long / short)}, as torchvision's {@code Resize(int)} computes it. Callable
     * before decoding, from the declared size. A very thin picture can grow a lot, so the result must fit in
     * {@code maxPixels}.
     */
    void plan(int width, int height, int shortSide) throws FrameRejectedException {
        long longSide = (long) shortSide * Math.max(width, height) / Math.min(width, height);
        long toWidth = width <= height ? shortSide : longSide;
        long toHeight = width <= height ? longSide : shortSide;
        if (toWidth * toHeight > maxPixels) {
            throw new FrameRejectedException(DeadLetterReason.IMAGE_TOO_LARGE, String.format(Locale.ROOT,
                    "resizing %dx%d to a short side of %d gives %dx%d = %d pixels, more than the limit of %d",
                    width, height, shortSide, toWidth, toHeight, toWidth * toHeight, maxPixels));
        }
        resizedWidth = (int) toWidth;
        resizedHeight = (int) toHeight;
    }

    /** Resizes a decoded picture to the {@link #plan planned} size, as {@link RgbScaler#scale} describes. */
    void scale(PointerPointer<?> data, IntPointer stride, int width, int height, int format, int colorspace,
            boolean fullRange) throws FrameRejectedException {
        scaler.scale(data, stride, width, height, format, colorspace, fullRange, resizedWidth, resizedHeight);
    }

    /**
     * Writes the center crop of the resized picture as normalized planar floats to {@code out} from absolute index
     * {@code offset}, with torchvision's {@code CenterCrop} offsets: {@code round((size - crop) / 2)}, with
     * Python's round half to even.
     */
    void writeModelInput(FloatBuffer out, int offset) {
        normalizer.write(scaler.pixels(), scaler.stride(), cropStart(resizedWidth), cropStart(resizedHeight), out,
                offset);
    }

    /** A copy of the resized picture, rows packed without padding. */
    RgbPicture copyResized() {
        int row = 3 * resizedWidth;
        byte[] rgb = new byte[row * resizedHeight];
        ByteBuffer pixels = scaler.pixels();
        for (int y = 0; y < resizedHeight; y++) {
            pixels.get(y * scaler.stride(), rgb, y * row, row);
        }
        return new RgbPicture(rgb, resizedWidth, resizedHeight);
    }

    @Override
    public void close() {
        scaler.close();
    }

    private int cropStart(int size) {
        return (int) Math.rint((size - inputSize) / 2.0);
    }
}
