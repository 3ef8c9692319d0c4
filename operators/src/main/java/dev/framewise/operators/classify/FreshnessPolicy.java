package dev.framewise.operators.classify;

import dev.framewise.operators.inference.Admission;
import java.io.Serializable;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * Under overload a live feed is better served by classifying recent frames than by working through
 * a backlog: a frame older than {@code maxAge} when it reaches the batch is dropped, and a camera
 * sending faster than {@code maxFpsPerCamera} has the excess dropped (by capture time, so a burst
 * of late frames does not pass the cap). Both are off at zero. A camera with no frame admitted for
 * {@link #FORGET_AFTER_MICROS} is forgotten within another such interval, so cameras that come and go
 * do not grow the subtask's memory; its next frame counts as its first. One instance per subtask; not
 * thread-safe.
 */
public final class FreshnessPolicy implements Serializable {
    private static final long serialVersionUID = 1L;

    /** How long, by the subtask's clock, a camera under the rate cap is remembered after its last admitted frame. */
    static final long FORGET_AFTER_MICROS = 60_000_000;

    private final long maxAgeMicros;
    private final long minIntervalMicros;
    private transient Map<String, Admitted> lastAdmitted;
    private transient long lastSweepMicros;

    /** A camera's last admitted frame: its capture time, and when the subtask admitted it. */
    private record Admitted(long captureMicros, long atMicros) {
    }

    public FreshnessPolicy(Duration maxAge, double maxFpsPerCamera) {
        if (maxAge.isNegative() || maxFpsPerCamera < 0) {
            throw new IllegalArgumentException("the frame age limit and frame-rate cap must not be negative");
        }
        this.maxAgeMicros = maxAge.toNanos() / 1_000;
        // A little slack: a camera at exactly the cap, with capture jitter, must not lose frames.
        this.minIntervalMicros = maxFpsPerCamera == 0 ? 0 : (long) (1e6 / maxFpsPerCamera * 0.9);
    }

    public static FreshnessPolicy off() {
        return new FreshnessPolicy(Duration.ZERO, 0);
    }

    public boolean isOff() {
        return maxAgeMicros == 0 && minIntervalMicros == 0;
    }

    /** Whether a frame captured at {@code captureMicros} by {@code camera} is still worth classifying now. */
    public Admission admit(String camera, long captureMicros, long nowMicros) {
        if (maxAgeMicros > 0 && nowMicros - captureMicros > maxAgeMicros) {
            return Admission.DROPPED_STALE;
        }
        if (minIntervalMicros > 0) {
            if (lastAdmitted == null) {
                lastAdmitted = new HashMap<>();
                lastSweepMicros = nowMicros;
            }
            forgetSilentCameras(nowMicros);
            Admitted last = lastAdmitted.get(camera);
            // Within the interval on either side: a frame out of order must not slip past the cap. A
            // jump further back is a camera whose clock restarted, and starts its count afresh.
            if (last != null && Math.abs(captureMicros - last.captureMicros()) < minIntervalMicros) {
                return Admission.DROPPED_RATE;
            }
            lastAdmitted.put(camera, new Admitted(captureMicros, nowMicros));
        }
        return Admission.ACCEPTED;
    }

    /** At most once per {@link #FORGET_AFTER_MICROS}: one pass over the cameras, dropping the silent ones. */
    private void forgetSilentCameras(long nowMicros) {
        if (nowMicros < lastSweepMicros) {
            lastSweepMicros = nowMicros; // the wall clock stepped back: count the minute from here
        }
        if (nowMicros - lastSweepMicros < FORGET_AFTER_MICROS) {
            return;
        }
        // Entries from after a backward clock step look young for ever: they go too (one extra frame each).
        lastAdmitted.values().removeIf(a -> nowMicros - a.atMicros() >= FORGET_AFTER_MICROS || a.atMicros() > nowMicros);
        lastSweepMicros = nowMicros;
    }

    /** Cameras the rate cap remembers now. */
    int camerasRemembered() {
        return lastAdmitted == null ? 0 : lastAdmitted.size();
    }
}
