package dev.framewise.operators.codec;

import static org.bytedeco.ffmpeg.global.avcodec.AV_CODEC_FLAG_LOW_DELAY;
import static org.bytedeco.ffmpeg.global.avcodec.AV_CODEC_ID_H264;
import static org.bytedeco.ffmpeg.global.avcodec.AV_EF_EXPLODE;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_alloc;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_free;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_alloc_context3;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_find_decoder;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_flush_buffers;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_free_context;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_open2;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_receive_frame;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_send_packet;
import static org.bytedeco.ffmpeg.global.avutil.AV_LOG_DEBUG;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_alloc;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_free;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_unref;

import dev.framewise.schemas.DeadLetterReason;
import org.bytedeco.ffmpeg.avcodec.AVCodec;
import org.bytedeco.ffmpeg.avcodec.AVCodecContext;
import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.ffmpeg.avutil.AVDictionary;
import org.bytedeco.ffmpeg.avutil.AVFrame;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.PointerPointer;

/**
 * FFmpeg's h264 decoder for one stream, with one packet and one frame for all its pictures, set up so that each
 * access unit gives its picture at once or fails: low delay (no output queue, as the streams have no B-frames)
 * and errors reported rather than concealed. Any failure flushes the decoder, because a picture that is missing
 * or damaged would be referenced by every later one up to the next IDR. Not thread-safe.
 */
final class H264Decoder implements AutoCloseable {
    /** {@code AV_FRAME_FLAG_CORRUPT} of libavutil/frame.h, a macro the presets do not map. */
    private static final int FRAME_FLAG_CORRUPT = 1;
    static final String WAITING = "; the decoder waits for the next key frame";

    private final NativeBuffer input;
    private final AVCodecContext context;
    private final AVPacket packet;
    private final AVFrame frame;
    /** Views of the frame's own data and linesize arrays (8 entries each); the frame struct never moves. */
    private final PointerPointer<?> frameData;
    private final IntPointer frameLinesize;

    /** Decodes from {@code input}, which it shares with the caller and does not own. */
    H264Decoder(long maxPixels, NativeBuffer input) {
        this.input = input;
        this.context = open(maxPixels);
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
     * Decodes the first {@code configSize + unitSize} bytes of the input, a key frame's parameter sets (if any)
     * followed by the access unit, to {@link #frame()}, which holds the picture until {@link #release()}.
     *
     * @throws FrameRejectedException when no undamaged picture comes out; the decoder is flushed then
     */
    void decode(int configSize, int unitSize) throws FrameRejectedException {
        packet.data(input.pointer());
        packet.size(configSize + unitSize);
        int ret = avcodec_send_packet(context, packet);
        if (ret < 0) {
            throw failed(configSize, unitSize, "rejected", ": " + FfmpegErrors.describe(ret));
        }
        ret = avcodec_receive_frame(context, frame);
        if (ret == FfmpegErrors.EAGAIN) {
            throw failed(configSize, unitSize, "gave no picture at once for",
                    " (streams that reorder pictures, with B-frames, cannot be decoded frame by frame)");
        }
        if (ret < 0) {
            throw failed(configSize, unitSize, "rejected", ": " + FfmpegErrors.describe(ret));
        }
        if ((frame.flags() & FRAME_FLAG_CORRUPT) != 0 || frame.decode_error_flags() != 0) {
            throw failed(configSize, unitSize, "flagged as damaged the picture of",
                    " (error flags " + frame.decode_error_flags() + ")");
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

    /** Forgets every picture and any half-decoded state; the parameter sets seen so far are kept. */
    void flush() {
        av_frame_unref(frame);
        avcodec_flush_buffers(context);
    }

    @Override
    public void close() {
        if (frame != null && !frame.isNull()) {
            av_frame_free(frame);
        }
        if (packet != null && !packet.isNull()) {
            av_packet_free(packet);
        }
        avcodec_free_context(context);
    }

    /**
     * Flushes and names the failure. An access unit without any slice can only have been cut short (or sent
     * without its picture), so it counts as truncated; anything else the decoder refused counts as corrupt.
     */
    private FrameRejectedException failed(int configSize, int unitSize, String what, String detail) {
        flush();
        // Allocates, as only a failure does: the scan looks at the copy the decoder saw.
        if ((AnnexB.nalTypes(input.view().slice(configSize, unitSize)) & AnnexB.SLICES) == 0) {
            return new FrameRejectedException(DeadLetterReason.TRUNCATED_IMAGE,
                    "H.264 access unit of " + unitSize + " bytes holds no slice" + WAITING);
        }
        return new FrameRejectedException(DeadLetterReason.CORRUPT_IMAGE,
                "h264 decoder " + what + " the " + unitSize + "-byte access unit" + detail + WAITING);
    }

    private static AVCodecContext open(long maxPixels) {
        AVCodec codec = avcodec_find_decoder(AV_CODEC_ID_H264);
        if (codec == null) {
            throw new IllegalStateException("this FFmpeg build has no h264 decoder");
        }
        AVCodecContext context = avcodec_alloc_context3(codec);
        if (context == null) {
            throw new OutOfMemoryError("FFmpeg could not allocate a decoder context");
        }
        // One decoder per camera in a task thread: no threads of its own, and frame threads would delay output.
        context.thread_count(1);
        // Output each picture as soon as it is decoded, rather than holding some back for reordering.
        context.flags(context.flags() | AV_CODEC_FLAG_LOW_DELAY);
        // Fail on damage instead of concealing it, and drop any picture with damaged macroblocks.
        context.err_recognition(AV_EF_EXPLODE);
        context.discard_damaged_percentage(0);
        // Bomb guard behind the declared-size check: the decoder refuses to allocate larger pictures.
        context.max_pixels(maxPixels);
        // Bad data is reported through FrameRejectedException; FFmpeg's own error lines would otherwise reach
        // stderr for every bad frame. Shifting this context's levels by DEBUG keeps them out of the default log.
        context.log_level_offset(AV_LOG_DEBUG);
        int ret = avcodec_open2(context, codec, (AVDictionary) null);
        if (ret < 0) {
            avcodec_free_context(context);
            throw new IllegalStateException("could not open FFmpeg's h264 decoder: " + FfmpegErrors.describe(ret));
        }
        return context;
    }
}
