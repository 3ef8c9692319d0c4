package dev.framewise.operators.frames;

import java.time.Instant;

/** Wall-clock time in the unit of the schemas' timestamps. */
public final class Clocks {
    private Clocks() {
    }

    /** Microseconds since the epoch, at the clock's real resolution (microseconds on Linux). */
    public static long nowMicros() {
        return micros(Instant.now());
    }

    public static long micros(Instant t) {
        return Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000L), t.getNano() / 1_000);
    }

    public static Instant instant(long micros) {
        return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1_000L);
    }
}
