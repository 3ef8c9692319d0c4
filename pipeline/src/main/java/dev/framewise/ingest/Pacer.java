package dev.framewise.ingest;

import java.util.concurrent.TimeUnit;

/**
 * Releases a file's frames at the pace of their timestamps, so a file behaves like a camera. Frames
 * that come late (encoding slower than real time) go at once; more than a second behind, the pace
 * starts over from now rather than rushing out the backlog.
 */
final class Pacer {
    private static final long MAX_BEHIND_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final Stop stop;
    private boolean started;
    private long wallBase;
    private long mediaBase;

    Pacer(Stop stop) {
        this.stop = stop;
    }

    /**
     * Waits until the frame at {@code timestampMicros} is due.
     *
     * @param timestampMicros the frame's time in the stream; increasing
     * @return false when a stop was requested while waiting
     */
    boolean await(long timestampMicros) throws InterruptedException {
        long now = System.nanoTime();
        long due = wallBase + (timestampMicros - mediaBase) * 1000;
        if (!started || now - due > MAX_BEHIND_NANOS) {
            started = true;
            wallBase = now;
            mediaBase = timestampMicros;
            due = now;
        }
        return stop.sleep(due - now);
    }
}
