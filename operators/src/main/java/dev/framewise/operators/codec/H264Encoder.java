package dev.framewise.operators.codec;

import static org.bytedeco.ffmpeg.global.avcodec.AV_PKT_FLAG_KEY;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_alloc;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_free;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_unref;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_alloc_context3;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_find_encoder_by_name;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_free_context;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_open2;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_receive_packet;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_send_frame;
import static org.bytedeco.ffmpeg.global.avutil.AVCOL_PRI_SMPTE170M;
import static org.bytedeco.ffmpeg.global.avutil.AVCOL_RANGE_MPEG;
import static org.bytedeco.ffmpeg.global.avutil.AVCOL_SPC_SMPTE170M;
import static org.bytedeco.ffmpeg.global.avutil.AVCOL_TRC_SMPTE170M;
import static org.bytedeco.ffmpeg.global.avutil.AV_LOG_VERBOSE;
import static org.bytedeco.ffmpeg.global.avutil.AV_LOG_WARNING;
import static org.bytedeco.ffmpeg.global.avutil.AV_PICTURE_TYPE_I;
import static org.bytedeco.ffmpeg.global.avutil.AV_PICTURE_TYPE_NONE;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_RGB24;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_YUV420P;
import static org.bytedeco.ffmpeg.global.avutil.av_d2q;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_alloc;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_free;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_get_buffer;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_make_writable;
import static org.bytedeco.ffmpeg.global.avutil.av_make_q;
import static org.bytedeco.ffmpeg.global.avutil.av_opt_set;
import static org.bytedeco.ffmpeg.global.avutil.av_opt_set_int;
import static org.bytedeco.ffmpeg.global.swscale.SWS_ACCURATE_RND;
import static org.bytedeco.ffmpeg.global.swscale.SWS_BICUBIC;
import static org.bytedeco.ffmpeg.global.swscale.SWS_CS_ITU601;
import static org.bytedeco.ffmpeg.global.swscale.SWS_FULL_CHR_H_INP;
import static org.bytedeco.ffmpeg.global.swscale.sws_freeContext;
import static org.bytedeco.ffmpeg.global.swscale.sws_getContext;
import static org.bytedeco.ffmpeg.global.swscale.sws_getCoefficients;
import static org.bytedeco.ffmpeg.global.swscale.sws_scale;
import static org.bytedeco.ffmpeg.global.swscale.sws_setColorspaceDetails;

import java.util.Locale;
import java.util.Objects;
import org.bytedeco.ffmpeg.avcodec.AVCodec;
import org.bytedeco.ffmpeg.avcodec.AVCodecContext;
import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.ffmpeg.avutil.AVDictionary;
import org.bytedeco.ffmpeg.avutil.AVFrame;
import org.bytedeco.ffmpeg.avutil.AVRational;
import org.bytedeco.ffmpeg.swscale.SwsContext;
import org.bytedeco.ffmpeg.swscale.SwsFilter;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerPointer;

/**
 * Encodes RGB24 pictures as H.264 the way the frame topics carry it, for synthetic cameras, ingest and tests:
 * one Annex-B access unit per picture, returned at once (no B-frames, so no reordering delay), with the SPS and
 * PPS in band at every IDR so that any key frame starts a decoder.
 *
 * <p>The encoder is FFmpeg's {@code libopenh264}, the only H.264 encoder of the bundled LGPL build (Constrained
 * Baseline, CAVLC). Colours go through BT.601 at video range (16-235), which the SPS states, as cameras do.
 * The frame, packet and colour conversion are made once. Not thread-safe; {@link #close()} frees the native
 * memory.
 */
public final class H264Encoder implements AutoCloseable {
    private static final int UNIT = 1 << 16;

    private final int width;
    private final int height;
    private final NativeBuffer source = new NativeBuffer(64);
    // Four entries, as sws_scale reads four planes: shorter arrays make it read foreign memory.
    private final PointerPointer<BytePointer> sourceData = new PointerPointer<>(4);
    private final IntPointer sourceStride = new IntPointer(4);
    private AVCodecContext context;
    private AVFrame frame;
    /** Views of the frame's own data and linesize arrays; the frame struct never moves. */
    private PointerPointer<?> frameData;
    private IntPointer frameLinesize;
    private AVPacket packet;
    private SwsContext converter;
    private long pts;
    private boolean keyFrameForced;
    private boolean closed;

    /**
     * @param width even, as 4:2:0 chroma needs
     * @param height even, as 4:2:0 chroma needs
     * @param fps the frame rate the rate control assumes
     * @param keyFrameInterval frames from one IDR to the next (1: every frame); the encoder may add IDRs at scene
     *     changes
     * @param bitrateKbps the target bit rate; as no picture may be skipped, hard pictures can exceed it
     */
    public H264Encoder(int width, int height, double fps, int keyFrameInterval, int bitrateKbps) {
        if (width <= 0 || height <= 0 || width % 2 != 0 || height % 2 != 0) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "width and height must be positive and even (4:2:0 chroma), got %dx%d", width, height));
        }
        if (!(fps > 0) || Double.isInfinite(fps)) {
            throw new IllegalArgumentException("fps must be positive, got " + fps);
        }
        if (keyFrameInterval < 1) {
            throw new IllegalArgumentException("keyFrameInterval must be at least 1, got " + keyFrameInterval);
        }
        if (bitrateKbps < 1 || bitrateKbps > Integer.MAX_VALUE / 1000) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "bitrateKbps must be 1 to %d, got %d", Integer.MAX_VALUE / 1000, bitrateKbps));
        }
        this.width = width;
        this.height = height;
        for (int i = 0; i < 4; i++) {
            sourceData.put(i, (Pointer) null);
            sourceStride.put(i, 0);
        }
        try {
            open(fps, keyFrameInterval, bitrateKbps);
        } catch (RuntimeException | Error e) {
            close();
            throw e;
        }
    }

    /**
     * Encodes one picture.
     *
     * @param rgb {@code width * height * 3} bytes, row-major R, G, B
     * @return its access unit; never null, as every picture gives exactly one
     */
    public EncodedFrame encode(byte[] rgb) {
        if (closed) {
            throw new IllegalStateException("encoder is closed");
        }
        Objects.requireNonNull(rgb, "rgb");
        if (rgb.length != 3L * width * height) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "rgb has %d bytes but %dx%dx3 = %d were expected", rgb.length, width, height, 3L * width * height));
        }
        source.copyFrom(rgb, rgb.length);
        sourceData.put(0, source.pointer());
        sourceStride.put(0, 3 * width);
        // The encoder may still hold the previous picture's buffer; writing into it would change that picture.
        check(av_frame_make_writable(frame), "make the frame writable");
        sws_scale(converter, sourceData, sourceStride, 0, height, frameData, frameLinesize);
        frame.pts(pts);
        // FFmpeg's wrapper turns an I picture type into openh264's ForceIntraFrame(IDR).
        frame.pict_type(keyFrameForced ? AV_PICTURE_TYPE_I : AV_PICTURE_TYPE_NONE);
        check(avcodec_send_frame(context, frame), "send a frame to libopenh264");
        keyFrameForced = false;
        int ret = avcodec_receive_packet(context, packet);
        if (ret == FfmpegErrors.EAGAIN) {
            // Only frame skipping (disabled in open()) makes openh264 return nothing for a picture.
            throw new IllegalStateException("libopenh264 gave no access unit for frame " + pts);
        }
        check(ret, "receive an access unit from libopenh264");
        pts++;
        try {
            byte[] accessUnit = new byte[packet.size()];
            packet.data().get(accessUnit);
            boolean keyFrame = (packet.flags() & AV_PKT_FLAG_KEY) != 0;
            return new EncodedFrame(accessUnit, keyFrame, keyFrame ? AnnexB.parameterSets(accessUnit) : null);
        } finally {
            av_packet_unref(packet);
        }
    }

    /** Makes the next picture an IDR, for example after a camera reconnects or a consumer lost the stream. */
    public void forceKeyFrame() {
        if (closed) {
            throw new IllegalStateException("encoder is closed");
        }
        keyFrameForced = true;
    }

    /** Frees every native resource; later calls do nothing. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (context != null) {
            avcodec_free_context(context);
            context = null;
        }
        if (frame != null) {
            av_frame_free(frame);
            frame = null;
        }
        if (packet != null) {
            av_packet_free(packet);
            packet = null;
        }
        if (converter != null) {
            sws_freeContext(converter);
            converter = null;
        }
        source.close();
        sourceData.close();
        sourceStride.close();
    }

    private void open(double fps, int keyFrameInterval, int bitrateKbps) {
        AVCodec codec = avcodec_find_encoder_by_name("libopenh264");
        if (codec == null) {
            throw new IllegalStateException("this FFmpeg build has no libopenh264 encoder");
        }
        context = avcodec_alloc_context3(codec);
        if (context == null) {
            throw new OutOfMemoryError("FFmpeg could not allocate an encoder context");
        }
        AVRational rate = av_d2q(fps, 1_000_000);
        context.width(width).height(height).pix_fmt(AV_PIX_FMT_YUV420P).framerate(rate)
                .time_base(av_make_q(rate.den(), rate.num())).gop_size(keyFrameInterval).max_b_frames(0)
                .bit_rate(bitrateKbps * 1000L).thread_count(1);
        // Stated in the SPS, so any decoder converts back to RGB the way the pictures were converted here.
        context.color_range(AVCOL_RANGE_MPEG).colorspace(AVCOL_SPC_SMPTE170M).color_primaries(AVCOL_PRI_SMPTE170M)
                .color_trc(AVCOL_TRC_SMPTE170M);
        // openh264 warns at every open about two choices made on purpose (no frame skipping; the profile FFmpeg's
        // wrapper hands it, which it replaces by the same Constrained Baseline). Shifted two levels, warnings become
        // verbose, below FFmpeg's default log level, while errors become info and stay visible.
        context.log_level_offset(AV_LOG_VERBOSE - AV_LOG_WARNING);
        // The flags are left alone: AV_CODEC_FLAG_GLOBAL_HEADER would move SPS and PPS out of the IDR access units.
        // The wrapper's default rate control is "quality", which ignores the bit rate.
        check(av_opt_set(context.priv_data(), "rc_mode", "bitrate", 0), "select bit-rate control");
        // A skipped frame would leave a record without an access unit; the topics need one per picture.
        check(av_opt_set_int(context.priv_data(), "allow_skip_frames", 0, 0), "disable frame skipping");
        check(avcodec_open2(context, codec, (AVDictionary) null), "open libopenh264");
        frame = av_frame_alloc();
        if (frame == null) {
            throw new OutOfMemoryError("FFmpeg could not allocate a frame");
        }
        frame.format(AV_PIX_FMT_YUV420P).width(width).height(height);
        check(av_frame_get_buffer(frame, 0), "allocate a " + width + "x" + height + " frame");
        frameData = frame.data();
        frameLinesize = frame.linesize();
        packet = av_packet_alloc();
        if (packet == null) {
            throw new OutOfMemoryError("FFmpeg could not allocate a packet");
        }
        converter = sws_getContext(width, height, AV_PIX_FMT_RGB24, width, height, AV_PIX_FMT_YUV420P,
                SWS_BICUBIC | SWS_ACCURATE_RND | SWS_FULL_CHR_H_INP, (SwsFilter) null, (SwsFilter) null,
                (DoublePointer) null);
        if (converter == null) {
            throw new IllegalStateException("swscale cannot convert RGB24 to YUV420P at " + width + "x" + height);
        }
        IntPointer bt601 = sws_getCoefficients(SWS_CS_ITU601);
        check(sws_setColorspaceDetails(converter, bt601, 1, bt601, 0, 0, UNIT, UNIT), "set BT.601 video range");
    }

    private static void check(int ret, String what) {
        if (ret < 0) {
            throw new IllegalStateException("FFmpeg could not " + what + ": " + FfmpegErrors.describe(ret));
        }
    }
}
