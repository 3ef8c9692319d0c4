package dev.framewise.operators.codec;

import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_RGB24;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_YUV411P;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_YUV420P;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_YUV422P;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_YUV440P;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_YUV444P;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_YUVJ411P;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_YUVJ420P;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_YUVJ422P;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_YUVJ440P;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_YUVJ444P;
import static org.bytedeco.ffmpeg.global.avutil.av_get_pix_fmt_name;
import static org.bytedeco.ffmpeg.global.swscale.SWS_ACCURATE_RND;
import static org.bytedeco.ffmpeg.global.swscale.SWS_CS_DEFAULT;
import static org.bytedeco.ffmpeg.global.swscale.SWS_FULL_CHR_H_INP;
import static org.bytedeco.ffmpeg.global.swscale.SWS_FULL_CHR_H_INT;
import static org.bytedeco.ffmpeg.global.swscale.sws_freeContext;
import static org.bytedeco.ffmpeg.global.swscale.sws_getCachedContext;
import static org.bytedeco.ffmpeg.global.swscale.sws_getCoefficients;
import static org.bytedeco.ffmpeg.global.swscale.sws_scale;
import static org.bytedeco.ffmpeg.global.swscale.sws_setColorspaceDetails;

import dev.framewise.schemas.DeadLetterReason;
import java.nio.ByteBuffer;
import java.util.Locale;
import org.bytedeco.ffmpeg.swscale.SwsContext;
import org.bytedeco.ffmpeg.swscale.SwsFilter;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerPointer;

/**
 * Resizes and converts any picture to packed RGB24 with swscale, into a buffer it keeps and grows only for a
 * larger picture. The swscale context is rebuilt (by {@code sws_getCachedContext}) only when the geometry or
 * the source format changes. Not thread-safe.
 */
final class RgbScaler implements AutoCloseable {
    /** Rows start 64-byte aligned, as swscale's SIMD writers prefer; also the slack after the last row. */
    private static final int ALIGN = 64;
    /**
     * Chroma at full horizontal resolution in and out, and accurate rounding: without them swscale halves
     * the chroma of RGB input and RGB output, and even a nearest-neighbour resize of RGB is off by up to
     * 157 levels per channel (measured).
     */
    private static final int QUALITY_FLAGS = SWS_FULL_CHR_H_INT | SWS_FULL_CHR_H_INP | SWS_ACCURATE_RND;
    private static final int UNIT = 1 << 16;

    private final int flags;
    private final DoublePointer params;
    private final NativeBuffer rgb = new NativeBuffer(ALIGN);
    // Four entries, as sws_scale reads four planes: shorter arrays make it read foreign memory.
    private final PointerPointer<BytePointer> dstData = new PointerPointer<>(4);
    private final IntPointer dstStride = new IntPointer(4);
    private SwsContext context;
    private int srcWidth;
    private int srcHeight;
    private int srcFormat = -1;
    private int srcColorspace;
    private boolean srcFullRange;
    private int dstWidth;
    private int dstHeight;
    private int stride;

    /**
     * @param interpolation one of swscale's {@code SWS_*} scaler flags
     * @param params the scaler's two parameters (as {@code sws_getCachedContext} takes them), or null for its
     *     defaults
     */
    RgbScaler(int interpolation, double[] params) {
        this.flags = interpolation | QUALITY_FLAGS;
        this.params = params == null ? null : new DoublePointer(params);
        for (int i = 0; i < 4; i++) {
            dstData.put(i, (Pointer) null);
            dstStride.put(i, 0);
        }
    }

    /**
     * Scales the source planes to {@code dstWidth x dstHeight} RGB24 in {@link #pixels()}, rows
     * {@link #stride()} bytes apart.
     *
     * @param colorspace the source's {@code AVColorSpace} (its YUV matrix; ignored for RGB sources)
     * @param fullRange whether YUV or grey samples span 0-255 (JPEG) rather than 16-235 (video)
     */
    void scale(PointerPointer<?> srcData, IntPointer srcStride, int width, int height, int format,
            int colorspace, boolean fullRange, int toWidth, int toHeight) throws FrameRejectedException {
        int plainFormat = withoutJpegRange(format);
        boolean full = fullRange || plainFormat != format;
        if (context == null || width != srcWidth || height != srcHeight || plainFormat != srcFormat
                || colorspace != srcColorspace || full != srcFullRange || toWidth != dstWidth
                || toHeight != dstHeight) {
            configure(width, height, plainFormat, colorspace, full, toWidth, toHeight);
        }
        int rows = sws_scale(context, srcData, srcStride, 0, height, dstData, dstStride);
        if (rows != toHeight) {
            throw new FrameRejectedException(DeadLetterReason.CORRUPT_IMAGE, String.format(Locale.ROOT,
                    "swscale produced %d of %d rows from a %dx%d %s picture", rows, toHeight, width, height,
                    formatName(format)));
        }
    }

    /** The last picture, valid until the next {@link #scale}. */
    ByteBuffer pixels() {
        return rgb.view();
    }

    int stride() {
        return stride;
    }

    @Override
    public void close() {
        if (context != null) {
            sws_freeContext(context);
            context = null;
        }
        rgb.close();
        dstData.close();
        dstStride.close();
        if (params != null) {
            params.close();
        }
    }

    private void configure(int width, int height, int format, int colorspace, boolean fullRange, int toWidth,
            int toHeight) throws FrameRejectedException {
        // Forget the old geometry first: if anything below fails, the next picture must configure again.
        srcFormat = -1;
        context = sws_getCachedContext(context, width, height, format, toWidth, toHeight, AV_PIX_FMT_RGB24,
                flags, (SwsFilter) null, (SwsFilter) null, params);
        if (context == null) {
            throw new FrameRejectedException(DeadLetterReason.CORRUPT_IMAGE, String.format(Locale.ROOT,
                    "swscale cannot convert a %dx%d %s picture to %dx%d RGB", width, height, formatName(format),
                    toWidth, toHeight));
        }
        // Always explicit: a rebuilt context inherits the ranges of the one it replaces.
        int ret = sws_setColorspaceDetails(context, sws_getCoefficients(colorspace), fullRange ? 1 : 0,
                sws_getCoefficients(SWS_CS_DEFAULT), 1, 0, UNIT, UNIT);
        if (ret < 0) {
            throw new FrameRejectedException(DeadLetterReason.CORRUPT_IMAGE, String.format(Locale.ROOT,
                    "swscale refused colour space %d (full range: %b) for a %s picture", colorspace, fullRange,
                    formatName(format)));
        }
        if (toWidth != dstWidth || toHeight != dstHeight) {
            int rowBytes = (toWidth * 3 + ALIGN - 1) / ALIGN * ALIGN;
            long bytes = (long) rowBytes * toHeight;
            if (bytes > Integer.MAX_VALUE - ALIGN) {
                throw new FrameRejectedException(DeadLetterReason.IMAGE_TOO_LARGE, String.format(Locale.ROOT,
                        "a %dx%d RGB picture needs %d bytes, more than one buffer holds", toWidth, toHeight, bytes));
            }
            rgb.reserve((int) bytes);
            stride = rowBytes;
            dstData.put(0, rgb.pointer());
            dstStride.put(0, stride);
            dstWidth = toWidth;
            dstHeight = toHeight;
        }
        srcWidth = width;
        srcHeight = height;
        srcColorspace = colorspace;
        srcFullRange = fullRange;
        srcFormat = format;
    }

    /**
     * The YUVJ formats are YUV with full range; swscale still takes them but warns on every new context. Passing
     * the plain format with the range stated keeps its log quiet and means the same.
     */
    private static int withoutJpegRange(int format) {
        if (format == AV_PIX_FMT_YUVJ420P) {
            return AV_PIX_FMT_YUV420P;
        } else if (format == AV_PIX_FMT_YUVJ422P) {
            return AV_PIX_FMT_YUV422P;
        } else if (format == AV_PIX_FMT_YUVJ444P) {
            return AV_PIX_FMT_YUV444P;
        } else if (format == AV_PIX_FMT_YUVJ440P) {
            return AV_PIX_FMT_YUV440P;
        } else if (format == AV_PIX_FMT_YUVJ411P) {
            return AV_PIX_FMT_YUV411P;
        }
        return format;
    }

    private static String formatName(int format) {
        BytePointer name = av_get_pix_fmt_name(format);
        return name == null ? "pixel format " + format : name.getString();
    }
}
