package dev.framewise.operators.codec;

import static org.bytedeco.ffmpeg.global.avcodec.AV_CODEC_FLAG_QSCALE;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_unref;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_alloc_context3;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_find_encoder;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_free_context;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_open2;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_receive_packet;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_send_frame;
import static org.bytedeco.ffmpeg.global.avutil.AVCOL_RANGE_JPEG;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_RGB24;
import static org.bytedeco.ffmpeg.global.avutil.FF_QP2LAMBDA;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_alloc;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_free;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_get_buffer;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_make_writable;
import static org.bytedeco.ffmpeg.global.avutil.av_make_q;
import static org.bytedeco.ffmpeg.global.swscale.SWS_ACCURATE_RND;
import static org.bytedeco.ffmpeg.global.swscale.SWS_BICUBIC;
import static org.bytedeco.ffmpeg.global.swscale.SWS_CS_ITU601;
import static org.bytedeco.ffmpeg.global.swscale.SWS_FULL_CHR_H_INP;
import static org.bytedeco.ffmpeg.global.swscale.sws_freeContext;
import static org.bytedeco.ffmpeg.global.swscale.sws_getCachedContext;
import static org.bytedeco.ffmpeg.global.swscale.sws_getCoefficients;
import static org.bytedeco.ffmpeg.global.swscale.sws_scale;
import static org.bytedeco.ffmpeg.global.swscale.sws_setColorspaceDetails;

import org.bytedeco.ffmpeg.avcodec.AVCodec;
import org.bytedeco.ffmpeg.avcodec.AVCodecContext;
import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.ffmpeg.avutil.AVDictionary;
import org.bytedeco.ffmpeg.avutil.AVFrame;
import org.bytedeco.ffmpeg.swscale.SwsContext;
import org.bytedeco.ffmpeg.swscale.SwsFilter;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.PointerPointer;

/**
 * One FFmpeg still-picture encoder (mjpeg or png) with its frame and its RGB24 conversion, kept open while
 * the picture size stays the same and reopened when it changes. Not thread-safe.
 */
final class StillEncoder implements AutoCloseable {
    private static final int UNIT = 1 << 16;

    private final int codecId;
    /** The pixel format the encoder is opened with. */
    private final int encoderFormat;
    /** The format swscale writes: the same layout, but never a deprecated YUVJ name (swscale warns on those). */
    private final int scaledFormat;
    private final boolean fixedQuality;
    private AVCodecContext context;
    private AVFrame frame;
    private PointerPointer<?> frameData;
    private IntPointer frameLinesize;
    private SwsContext converter;
    private int width;
    private int height;
    private long pts;

    /**
     * @param fixedQuality whether each picture carries its own quantizer ({@link #encode}'s {@code qscale})
     */
    StillEncoder(int codecId, int encoderFormat, int scaledFormat, boolean fixedQuality) {
        this.codecId = codecId;
        this.encoderFormat = encoderFormat;
        this.scaledFormat = scaledFormat;
        this.fixedQuality = fixedQuality;
    }

    /**
     * Encodes the packed RGB24 picture in {@code rgb} (row stride in {@code rgbStride}).
     *
     * @param qscale the quantizer, 1 (best) to 31, when the encoder has a fixed quality; ignored otherwise
     */
    byte[] encode(PointerPointer<?> rgb, IntPointer rgbStride, int width, int height, int qscale,
            AVPacket packet) {
        if (context == null || width != this.width || height != this.height) {
            open(width, height);
        }
        check(av_frame_make_writable(frame), "make the frame writable");
        sws_scale(converter, rgb, rgbStride, 0, height, frameData, frameLinesize);
        frame.pts(pts++);
        if (fixedQuality) {
            frame.quality(FF_QP2LAMBDA * qscale);
        }
        check(avcodec_send_frame(context, frame), "send a frame to the encoder");
        check(avcodec_receive_packet(context, packet), "receive a packet from the encoder");
        try {
            byte[] out = new byte[packet.size()];
            packet.data().get(out);
            return out;
        } finally {
            av_packet_unref(packet);
        }
    }

    @Override
    public void close() {
        if (context != null) {
            avcodec_free_context(context);
            context = null;
        }
        if (frame != null) {
            av_frame_free(frame);
            frame = null;
            frameData = null;
            frameLinesize = null;
        }
        if (converter != null) {
            sws_freeContext(converter);
            converter = null;
        }
    }

    private void open(int width, int height) {
        close();
        try {
            configure(width, height);
        } catch (RuntimeException | Error e) {
            // Half-made state must not be taken for an open encoder by the next call.
            close();
            throw e;
        }
        this.width = width;
        this.height = height;
    }

    private void configure(int width, int height) {
        AVCodec codec = avcodec_find_encoder(codecId);
        if (codec == null) {
            throw new IllegalStateException("this FFmpeg build has no encoder for codec id " + codecId);
        }
        context = avcodec_alloc_context3(codec);
        if (context == null) {
            throw new OutOfMemoryError("FFmpeg could not allocate an encoder context");
        }
        context.width(width).height(height).pix_fmt(encoderFormat).time_base(av_make_q(1, 25)).thread_count(1);
        if (fixedQuality) {
            context.flags(context.flags() | AV_CODEC_FLAG_QSCALE);
            // The default quantizer floor is 2; quality 100 asks for 1.
            context.qmin(1);
            context.color_range(AVCOL_RANGE_JPEG);
        }
        check(avcodec_open2(context, codec, (AVDictionary) null), "open the " + codec.name().getString() + " encoder");
        frame = av_frame_alloc();
        if (frame == null) {
            throw new OutOfMemoryError("FFmpeg could not allocate a frame");
        }
        frame.format(encoderFormat).width(width).height(height);
        check(av_frame_get_buffer(frame, 0), "allocate a " + width + "x" + height + " frame");
        frameData = frame.data();
        frameLinesize = frame.linesize();
        converter = sws_getCachedContext(converter, width, height, AV_PIX_FMT_RGB24, width, height, scaledFormat,
                SWS_BICUBIC | SWS_ACCURATE_RND | SWS_FULL_CHR_H_INP, (SwsFilter) null, (SwsFilter) null,
                (DoublePointer) null);
        if (converter == null) {
            throw new IllegalStateException("swscale cannot convert RGB24 to the encoder's pixel format");
        }
        // JPEG's YUV is BT.601 with full range (what the YUVJ formats mean); for RGB output this changes nothing.
        IntPointer bt601 = sws_getCoefficients(SWS_CS_ITU601);
        sws_setColorspaceDetails(converter, bt601, 1, bt601, 1, 0, UNIT, UNIT);
    }

    private static void check(int ret, String what) {
        if (ret < 0) {
            throw new IllegalStateException("FFmpeg could not " + what + ": " + FfmpegErrors.describe(ret));
        }
    }
}
