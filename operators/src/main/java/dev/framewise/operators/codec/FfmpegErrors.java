package dev.framewise.operators.codec;

import static org.bytedeco.ffmpeg.global.avutil.AV_ERROR_MAX_STRING_SIZE;
import static org.bytedeco.ffmpeg.global.avutil.av_strerror;

import java.nio.charset.StandardCharsets;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacpp.Loader;

/** FFmpeg's error codes: the ones this package tests for, and any of them in words. */
final class FfmpegErrors {
    /**
     * {@code AVERROR(EAGAIN)}, read once. It is a native function of the presets class, whose library loads
     * only with {@link avutil}; calling it before anything else of FFmpeg fails to link.
     */
    static final int EAGAIN = eagain();

    private FfmpegErrors() {
    }

    /** For rejection messages, so allocating here is fine: it runs once per bad frame, never per good one. */
    static String describe(int error) {
        byte[] text = new byte[AV_ERROR_MAX_STRING_SIZE];
        String words = av_strerror(error, text, text.length) < 0 ? "unknown error" : terminated(text);
        return words + " (" + error + ")";
    }

    private static String terminated(byte[] text) {
        int length = 0;
        while (length < text.length && text[length] != 0) {
            length++;
        }
        return new String(text, 0, length, StandardCharsets.UTF_8);
    }

    private static int eagain() {
        Loader.load(avutil.class);
        return avutil.AVERROR_EAGAIN();
    }
}
