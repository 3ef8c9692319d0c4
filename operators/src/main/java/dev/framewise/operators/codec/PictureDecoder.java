package dev.framewise.operators.codec;

import static org.bytedeco.ffmpeg.global.avcodec.AV_CODEC_ID_MJPEG;
import static org.bytedeco.ffmpeg.global.avcodec.AV_CODEC_ID_PNG;
import static org.bytedeco.ffmpeg.global.avcodec.AV_EF_CRCCHECK;
import static org.bytedeco.ffmpeg.global.avcodec.AV_EF_EXPLODE;
import static org.bytedeco.ffmpeg.global.avcodec.AV_PKT_FLAG_KEY;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_alloc;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_free;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_alloc_context3;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_find_decoder;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_flush_buffers;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_free_context;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_open2;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_receive_frame;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_send_packet;
import static org.bytedeco.ffmpeg.global.avutil.AVERROR_EOF;
import static org.bytedeco.ffmpeg.global.avutil.AV_LOG_DEBUG;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_alloc;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_free;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_unref;

import dev.framewise.schemas.Codec;
import dev.framewise.schemas.DeadLetterReason;
import java.nio.ByteBuffer;
import org.bytedeco.ffmpeg.avcodec.AVCodec;
import org.bytedeco.ffmpeg.avcodec.AVCodecContext;
import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.ffmpeg.avutil.AVDictionary;
import org.bytedeco.ffmpeg.avutil.AVFrame;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.PointerPointer;

/**
 * FFmpeg's JPEG and PNG decoders, one context per codec opened at first use and kept, with one packet and
 * one frame for all pictures. The caller checks the data's structure first ({@link ImageHeader}); this class
 * turns whatever the decoder still rejects into a {@link FrameRejectedException} and leaves the context
 * ready for the next picture. Not thread-safe.
 */
final class PictureDecoder implements AutoCloseable {
    /** {@code AV_FRAME_FLAG_CORRUPT} of libavutil/frame.h, a macro the presets do not map. */
    private static final int FRAME_FLAG_CORRUPT = 1;

    private final long maxPixels;
    private final NativeBuffer input;
    private final AVPacket packet;
    private final AVFrame frame;
    /** Views of the frame's own data and linesize arrays (8 entries each); the frame struct never moves. */
    private final PointerPointer<?> frameData;
    private final IntPointer frameLinesize;
    private AVCodecContext jpeg;
    private AVCodecContext png;

    /** Decodes from {@code input}, which it shares with the caller and does not own. */
    PictureDecoder(long maxPixels, NativeBuffer input) {
        this.maxPixels = maxPixels;
        this.input = input;
        this.packet = av_packet_alloc();
        this.frame = av_frame_alloc();
        if (packet == null || frame == null) {
            close();
            throw new OutOfMemoryError("FFmpeg could not allocate a packet and a frame");
        }
        this.frameData = frame.data();
        this.frameLinesize = frame.linesize();
    }

    /**
     * Decodes {@code payload} (its remaining bytes; its position is kept) to {@link #frame()}, which holds the
     * picture until {@link #release()} or the next call.
     */
    void decode(Codec codec, ByteBuffer payload) throws FrameRejectedException {
        decode(codec, payload, 0);
    }

    /**
     * As {@link #decode(Codec, ByteBuffer)}, a JPEG at {@code 1 / 2^lowres} of its size: the decoder's
     * inverse DCT makes the smaller picture directly, for a fraction of the work of the full one.
     */
    void decode(Codec codec, ByteBuffer payload, int lowres) throws FrameRejectedException {
        AVCodecContext context = context(codec);
        if (context.lowres() != lowres) {
            context.lowres(lowres);
        }
        int size = payload.remaining();
        input.copyFrom(payload);
        packet.data(input.pointer());
        packet.size(size);
        // Every payload is a whole picture. Without the key flag FFmpeg's PNG decoder takes a same-sized
        // picture for a delta on the previous one (MNG-style P-frame) and adds the two.
        packet.flags(AV_PKT_FLAG_KEY);
        int ret = avcodec_send_packet(context, packet);
        if (ret == FfmpegErrors.EAGAIN) {
            // The previous packet left a picture behind (several pictures in one payload): start afresh.
            avcodec_flush_buffers(context);
            ret = avcodec_send_packet(context, packet);
        }
        if (ret < 0) {
            throw failed(context, DeadLetterReason.CORRUPT_IMAGE, codec + " decoder rejected the " + size
                    + "-byte payload: " + FfmpegErrors.describe(ret));
        }
        ret = avcodec_receive_frame(context, frame);
        if (ret == FfmpegErrors.EAGAIN || ret == AVERROR_EOF) {
            throw failed(context, DeadLetterReason.TRUNCATED_IMAGE, codec + " decoder found no complete picture"
                    + " in the " + size + "-byte payload");
        }
        if (ret < 0) {
            throw failed(context, DeadLetterReason.CORRUPT_IMAGE, codec + " decoder rejected the " + size
                    + "-byte payload: " + FfmpegErrors.describe(ret));
        }
        if ((frame.flags() & FRAME_FLAG_CORRUPT) != 0 || frame.decode_error_flags() != 0) {
            throw failed(context, DeadLetterReason.CORRUPT_IMAGE, codec + " decoder flagged the picture in the "
                    + size + "-byte payload as damaged (error flags " + frame.decode_error_flags() + ")");
        }
    }

    AVFrame frame() {
        return frame;
    }

    PointerPointer<?> frameData() {
        return frameData;
    }

    IntPointer frameLinesize() {
        return frameLinesize;
    }

    /** Gives the picture's buffer back to the decoder's pool. */
    void release() {
        av_frame_unref(frame);
    }

    @Override
    public void close() {
        if (jpeg != null) {
            avcodec_free_context(jpeg);
            jpeg = null;
        }
        if (png != null) {
            avcodec_free_context(png);
            png = null;
        }
        if (frame != null && !frame.isNull()) {
            av_frame_free(frame);
        }
        if (packet != null && !packet.isNull()) {
            av_packet_free(packet);
        }
    }

    /** After an error the context may hold half a picture: flush it, so the next payload starts clean. */
    private FrameRejectedException failed(AVCodecContext context, DeadLetterReason reason, String message) {
        av_frame_unref(frame);
        avcodec_flush_buffers(context);
        return new FrameRejectedException(reason, message);
    }

    private AVCodecContext context(Codec codec) {
        if (codec == Codec.JPEG) {
            if (jpeg == null) {
                jpeg = open(AV_CODEC_ID_MJPEG);
            }
            return jpeg;
        }
        if (png == null) {
            png = open(AV_CODEC_ID_PNG);
        }
        return png;
    }

    private AVCodecContext open(int codecId) {
        AVCodec codec = avcodec_find_decoder(codecId);
        if (codec == null) {
            throw new IllegalStateException("this FFmpeg build has no decoder for codec id " + codecId);
        }
        AVCodecContext context = avcodec_alloc_context3(codec);
        if (context == null) {
            throw new OutOfMemoryError("FFmpeg could not allocate a decoder context");
        }
        // One operator instance per task thread: the decoder must not start threads of its own.
        context.thread_count(1);
        // Fail on damage instead of concealing it, and check PNG chunk CRCs.
        context.err_recognition(AV_EF_EXPLODE | AV_EF_CRCCHECK);
        // A picture with any rows missing is an error, not a result: by default the PNG decoder hands out
        // a picture that lacks up to 95% of its rows (when an IDAT chunk is missing, say).
        context.discard_damaged_percentage(0);
        // Second bomb guard, behind the header check: the decoder refuses to allocate more.
        context.max_pixels(maxPixels);
        // Bad data is reported through FrameRejectedException; FFmpeg's own error lines would otherwise reach
        // stderr for every bad frame. Shifting this context's levels by DEBUG keeps them out of the default log.
        context.log_level_offset(AV_LOG_DEBUG);
        int ret = avcodec_open2(context, codec, (AVDictionary) null);
        if (ret < 0) {
            avcodec_free_context(context);
            throw new IllegalStateException("could not open FFmpeg's " + codec.name().getString() + " decoder: "
                    + FfmpegErrors.describe(ret));
        }
        return context;
    }
}
