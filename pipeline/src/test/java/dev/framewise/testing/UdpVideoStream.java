package dev.framewise.testing;

import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_RGB24;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.bytedeco.javacv.FFmpegFrameRecorder;
import org.bytedeco.javacv.Frame;
import org.bytedeco.javacv.FrameRecorder;

/**
 * A live MPEG-TS stream over UDP, as a network camera sends it: an FFmpeg recorder fed at its frame
 * rate by a timer thread. Can be stopped and started again, like a camera that drops off the network.
 */
public final class UdpVideoStream implements AutoCloseable {
    private final String url;
    private final TestVideos.Spec spec;
    private final AtomicInteger frames = new AtomicInteger();
    private final AtomicReference<Exception> failure = new AtomicReference<>();
    private ScheduledExecutorService timer;
    private FFmpegFrameRecorder recorder;

    /** @param spec its format must be mpegts */
    public UdpVideoStream(String url, TestVideos.Spec spec) {
        this.url = url;
        this.spec = spec;
    }

    public synchronized void start() throws FrameRecorder.Exception {
        recorder = TestVideos.recorder(url, spec);
        recorder.start();
        Frame frame = new Frame(spec.width(), spec.height(), Frame.DEPTH_UBYTE, 3);
        FFmpegFrameRecorder current = recorder;
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "udp-video-stream");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleAtFixedRate(() -> {
            try {
                TestVideos.draw(frame, frames.get());
                current.record(frame, AV_PIX_FMT_RGB24);
                frames.incrementAndGet();
            } catch (Exception e) {
                failure.compareAndSet(null, e);
            }
        }, 0, Math.round(1e6 / spec.fps()), TimeUnit.MICROSECONDS);
    }

    /** Stops sending: the camera goes dark. */
    public synchronized void stop() throws Exception {
        if (timer == null) {
            return;
        }
        timer.shutdown();
        if (!timer.awaitTermination(10, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the stream's timer did not stop");
        }
        timer = null;
        recorder.stop();
        recorder.release();
        recorder = null;
        if (failure.get() != null) {
            throw failure.get();
        }
    }

    /** Pictures sent so far, over all starts. */
    public int frames() {
        return frames.get();
    }

    @Override
    public void close() throws Exception {
        stop();
    }
}
