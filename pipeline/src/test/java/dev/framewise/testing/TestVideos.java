package dev.framewise.testing;

import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_RGB24;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_YUV420P;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import org.bytedeco.javacv.FFmpegFrameRecorder;
import org.bytedeco.javacv.Frame;
import org.bytedeco.javacv.FrameRecorder;

/**
 * Video files and pictures made in the test with FFmpeg, from a moving synthetic picture: a
 * gradient that drifts, and a bright square that crosses it, so that codecs see motion and texture.
 */
public final class TestVideos {
    private TestVideos() {
    }

    /** How a test video is made. */
    public record Spec(String format, String codec, int width, int height, double fps, int gop) {
    }

    /**
     * Writes {@code frames} pictures to {@code file}.
     *
     * @param format FFmpeg's muxer: mp4, matroska, avi, mpegts
     * @param codec FFmpeg's encoder: libopenh264, mpeg4
     */
    public static Path write(Path file, Spec spec, int frames) throws FrameRecorder.Exception {
        try (FFmpegFrameRecorder recorder = recorder(file.toString(), spec)) {
            recorder.start();
            Frame frame = new Frame(spec.width(), spec.height(), Frame.DEPTH_UBYTE, 3);
            for (int t = 0; t < frames; t++) {
                draw(frame, t);
                recorder.record(frame, AV_PIX_FMT_RGB24);
            }
            recorder.stop();
        }
        return file;
    }

    /** A recorder of {@code spec}, not yet started, writing to {@code target} (a file or a URL). */
    public static FFmpegFrameRecorder recorder(String target, Spec spec) {
        FFmpegFrameRecorder recorder = new FFmpegFrameRecorder(target, spec.width(), spec.height(), 0);
        recorder.setFormat(spec.format());
        recorder.setVideoCodecName(spec.codec());
        recorder.setFrameRate(spec.fps());
        recorder.setGopSize(spec.gop());
        recorder.setPixelFormat(AV_PIX_FMT_YUV420P);
        // Enough for clean pictures at test sizes: mpeg4 at its 400 kbit/s default smears them.
        recorder.setVideoBitrate(spec.width() * spec.height() * 4);
        return recorder;
    }

    /** Draws picture {@code t} into the frame's packed RGB24 buffer (stride = width * 3). */
    public static void draw(Frame frame, int t) {
        ByteBuffer rgb = (ByteBuffer) frame.image[0];
        int width = frame.imageWidth;
        int height = frame.imageHeight;
        int stride = frame.imageStride;
        int square = Math.max(8, Math.min(width, height) / 5);
        int sx = (t * 5) % Math.max(1, width - square);
        int sy = (height - square) / 2;
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int i = y * stride + x * 3;
                boolean inSquare = x >= sx && x < sx + square && y >= sy && y < sy + square;
                rgb.put(i, (byte) (inSquare ? 250 : (x + 2 * t) & 0xFF));
                rgb.put(i + 1, (byte) (inSquare ? 250 : (y * 2) & 0xFF));
                rgb.put(i + 2, (byte) (inSquare ? 240 : (x + y + t) & 0xFF));
            }
        }
    }
}
