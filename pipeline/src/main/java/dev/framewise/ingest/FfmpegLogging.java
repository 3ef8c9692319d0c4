package dev.framewise.ingest;

import static org.bytedeco.ffmpeg.global.avutil.AV_LOG_ERROR;
import static org.bytedeco.ffmpeg.global.avutil.AV_LOG_FATAL;
import static org.bytedeco.ffmpeg.global.avutil.AV_LOG_WARNING;

import org.bytedeco.ffmpeg.avutil.LogCallback;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacpp.BytePointer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * FFmpeg's messages into the log instead of straight onto the process's stderr, where they would
 * break the progress line: a stream that drops makes the demuxer and decoder complain for a while,
 * and ingest reports the drop itself. Warnings and worse only; FFmpeg's errors about damaged data
 * are warnings here.
 */
final class FfmpegLogging {
    private static final Logger LOG = LoggerFactory.getLogger("ffmpeg");
    private static Callback installed;

    private FfmpegLogging() {
    }

    static synchronized void install() {
        if (installed != null) {
            return;
        }
        // Kept in a static field: FFmpeg calls it from its own threads for as long as the JVM lives.
        installed = new Callback();
        installed.retainReference();
        avutil.av_log_set_level(AV_LOG_WARNING);
        avutil.setLogCallback(installed);
    }

    private static final class Callback extends LogCallback {
        @Override
        public void call(int level, BytePointer message) {
            String text = message.getString().strip();
            if (text.isEmpty()) {
                return;
            }
            if (level <= AV_LOG_FATAL) {
                LOG.error("{}", text);
            } else if (level <= AV_LOG_ERROR) {
                LOG.warn("{}", text);
            } else {
                LOG.info("{}", text);
            }
        }
    }
}
