package dev.framewise.ingest;

/**
 * Frame times in the stream that always increase: the container's, when it has them and they move
 * forward, else one frame duration after the previous frame (raw streams without timestamps, or
 * damaged ones).
 */
final class MediaClock {
    /** What readers pass when a frame has no timestamp. */
    static final long UNKNOWN = Long.MIN_VALUE;

    private final long frameMicros;
    private long last = UNKNOWN;

    /** @param fps the stream's nominal frame rate; 25 is assumed when it is unknown (0 or not finite) */
    MediaClock(double fps) {
        this.frameMicros = Math.round(1e6 / nominal(fps));
    }

    /** The stream's nominal frame rate, or 25 when FFmpeg could not tell it (or reports a silly one). */
    static double nominal(double fps) {
        return Double.isFinite(fps) && fps > 0 && fps <= 1000 ? fps : 25;
    }

    long next(long timestampMicros) {
        if (timestampMicros == UNKNOWN || last != UNKNOWN && timestampMicros <= last) {
            last = last == UNKNOWN ? 0 : last + frameMicros;
        } else {
            last = timestampMicros;
        }
        return last;
    }
}
