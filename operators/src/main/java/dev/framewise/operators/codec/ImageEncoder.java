package dev.framewise.operators.codec;

import static org.bytedeco.ffmpeg.global.avcodec.AV_CODEC_ID_MJPEG;
import static org.bytedeco.ffmpeg.global.avcodec.AV_CODEC_ID_PNG;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_alloc;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_free;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_RGB24;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_YUV420P;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_YUVJ420P;

import java.util.Objects;
import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerPointer;

/**
 * Encodes packed RGB24 pictures as JPEG or PNG with FFmpeg, for the demo's synthetic camera, ingest and
 * tests. Any size works, odd ones included. Encoder contexts stay open while the picture size stays the
 * same. Not thread-safe; {@link #close()} frees the native memory.
 */
public final class ImageEncoder implements AutoCloseable {
    private final NativeBuffer source = new NativeBuffer(64);
    // Four entries, as sws_scale reads four planes: shorter arrays make it read foreign memory.
    private final PointerPointer<BytePointer> sourceData = new PointerPointer<>(4);
    private final IntPointer sourceStride = new IntPointer(4);
    private final AVPacket packet;
    private final StillEncoder jpegEncoder =
            new StillEncoder(AV_CODEC_ID_MJPEG, AV_PIX_FMT_YUVJ420P, AV_PIX_FMT_YUV420P, true);
    private final StillEncoder pngEncoder =
            new StillEncoder(AV_CODEC_ID_PNG, AV_PIX_FMT_RGB24, AV_PIX_FMT_RGB24, false);
    private boolean closed;

    public ImageEncoder() {
        for (int i = 0; i < 4; i++) {
            sourceData.put(i, (Pointer) null);
            sourceStride.put(i, 0);
        }
        packet = av_packet_alloc();
        if (packet == null) {
            throw new OutOfMemoryError("FFmpeg could not allocate a packet");
        }
    }

    /**
     * A baseline JPEG (4:2:0 chroma) of {@code rgb}, {@code width * height * 3} bytes row-major R, G, B.
     *
     * @param quality 1 to 100 as in libjpeg; mapped to FFmpeg's quantizer scale by {@link #qscale(int)}
     */
    public byte[] jpeg(byte[] rgb, int width, int height, int quality) {
        if (quality < 1 || quality > 100) {
            throw new IllegalArgumentException("quality must be 1 to 100, got " + quality);
        }
        load(rgb, width, height);
        return jpegEncoder.encode(sourceData, sourceStride, width, height, qscale(quality), packet);
    }

    /** A lossless PNG of {@code rgb}, {@code width * height * 3} bytes row-major R, G, B. */
    public byte[] png(byte[] rgb, int width, int height) {
        load(rgb, width, height);
        return pngEncoder.encode(sourceData, sourceStride, width, height, 0, packet);
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        jpegEncoder.close();
        pngEncoder.close();
        av_packet_free(packet);
        source.close();
        sourceData.close();
        sourceStride.close();
    }

    /**
     * libjpeg scales its tables by {@code 5000 / q} percent below quality 50 and {@code 200 - 2q} from there;
     * FFmpeg's mjpeg tables are MPEG's intra matrix (about 0.55 of JPEG's at the same step) times
     * {@code qscale / 8}. Equal tables give {@code qscale = percent / 7}, rounded and kept within 1 to 31.
     */
    static int qscale(int quality) {
        int percent = quality < 50 ? 5000 / quality : 200 - 2 * quality;
        return Math.max(1, Math.min(31, Math.round(percent / 7f)));
    }

    private void load(byte[] rgb, int width, int height) {
        if (closed) {
            throw new IllegalStateException("encoder is closed");
        }
        Objects.requireNonNull(rgb, "rgb");
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("size must be positive, got " + width + "x" + height);
        }
        if ((long) width * height * 3 != rgb.length) {
            throw new IllegalArgumentException("rgb has " + rgb.length + " bytes but " + width + "x" + height
                    + "x3 = " + (long) width * height * 3 + " were expected");
        }
        source.copyFrom(rgb, rgb.length);
        sourceData.put(0, source.pointer());
        sourceStride.put(0, 3 * width);
    }
}
