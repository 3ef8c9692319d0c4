package dev.framewise.ingest;

/**
 * Lets at most {@code fps} frames a second through, by dropping the rest; never repeats one. Frames
 * are judged by their time (the stream's for files, the wall clock's for live sources) against a grid
 * of slots {@code 1/fps} apart, starting at the first frame: each slot takes the first frame at or
 * after it. A frame a little early still takes the slot (up to a quarter slot, and less than half the
 * gap to the frame before, which must not get it instead), so that a source as fast as the cap, with
 * jittery times, is not halved. Each frame let through moves the grid on by at least a slot, so over
 * any stretch of time at most {@code fps} frames a second pass, give or take one.
 */
final class RateCap {
    private static final long NONE = Long.MIN_VALUE;

    private final long slotMicros;
    private long nextSlot = NONE;
    private long lastTime = NONE;

    RateCap(double fps) {
        if (!(fps > 0)) {
            throw new IllegalArgumentException("fps must be positive, got " + fps);
        }
        this.slotMicros = Math.max(1, Math.round(1e6 / fps));
    }

    /** Whether the frame at {@code timeMicros} goes through; times must not go backwards. */
    boolean admit(long timeMicros) {
        long gap = lastTime == NONE ? slotMicros : timeMicros - lastTime;
        lastTime = timeMicros;
        if (nextSlot != NONE && timeMicros < nextSlot - Math.min(slotMicros / 4, gap / 2)) {
            return false;
        }
        // A frame more than a slot late (after a pause) restarts the grid, so no burst makes up for the frames
        // not seen; one less late keeps it, so a source just above the cap loses only what it must.
        long slot = nextSlot == NONE || timeMicros - nextSlot > slotMicros ? timeMicros : nextSlot;
        nextSlot = slot + slotMicros;
        return true;
    }
}
