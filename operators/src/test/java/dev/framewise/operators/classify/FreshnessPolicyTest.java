package dev.framewise.operators.classify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.framewise.operators.inference.Admission;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class FreshnessPolicyTest {
    static final long S = 1_000_000;

    @Test
    void offAdmitsEverything() {
        FreshnessPolicy p = FreshnessPolicy.off();
        assertTrue(p.isOff());
        assertEquals(Admission.ACCEPTED, p.admit("a", 0, 3600 * S));
    }

    @Test
    void framesOlderThanTheLimitAreDroppedFreshOnesPass() {
        FreshnessPolicy p = new FreshnessPolicy(Duration.ofSeconds(2), 0);
        long now = 100 * S;
        assertEquals(Admission.ACCEPTED, p.admit("a", now - 2 * S, now), "exactly at the limit");
        assertEquals(Admission.DROPPED_STALE, p.admit("a", now - 2 * S - 1, now));
        assertEquals(Admission.ACCEPTED, p.admit("a", now, now));
    }

    @Test
    void aCameraOverItsRateCapLosesTheExcessOthersAreUntouched() {
        FreshnessPolicy p = new FreshnessPolicy(Duration.ZERO, 5);
        int admitted = 0;
        // 20 frames a second for a second: at a cap of 5, every fourth frame passes.
        for (int i = 0; i < 20; i++) {
            if (p.admit("fast", i * S / 20, 10 * S) == Admission.ACCEPTED) {
                admitted++;
            }
        }
        assertEquals(5, admitted);
        // Just after the fast camera's last admitted frame (800 ms): only a per-camera count lets these pass.
        for (int i = 0; i < 5; i++) {
            assertEquals(Admission.ACCEPTED, p.admit("slow", 810_000 + i * S / 5, 10 * S),
                    "a camera at the cap loses nothing");
        }
    }

    @Test
    void aFrameOutOfOrderCountsAgainstTheCapAndAClockRestartStartsAfresh() {
        FreshnessPolicy p = new FreshnessPolicy(Duration.ZERO, 5);
        assertEquals(Admission.ACCEPTED, p.admit("a", 10 * S, 20 * S));
        assertEquals(Admission.DROPPED_RATE, p.admit("a", 10 * S - 50_000, 20 * S), "50 ms earlier, out of order");
        assertEquals(Admission.DROPPED_RATE, p.admit("a", 10 * S + 100_000, 20 * S), "the late frame did not reset the count");
        assertEquals(Admission.ACCEPTED, p.admit("a", S, 20 * S), "9 s back: the camera restarted");
        assertEquals(Admission.DROPPED_RATE, p.admit("a", S + 100_000, 20 * S));
    }

    @Test
    void ageIsCheckedBeforeTheRateCap() {
        FreshnessPolicy p = new FreshnessPolicy(Duration.ofSeconds(1), 5);
        assertEquals(Admission.DROPPED_STALE, p.admit("a", 9 * S - 1, 10 * S));
        assertEquals(Admission.ACCEPTED, p.admit("a", 9 * S + 100_000, 10 * S),
                "100 ms after a stale frame: it did not count against the cap");
    }

    @Test
    void camerasThatFellSilentAreForgottenAndStartAfresh() {
        FreshnessPolicy p = new FreshnessPolicy(Duration.ZERO, 5);
        for (int i = 0; i < 1000; i++) {
            assertEquals(Admission.ACCEPTED, p.admit("gone-" + i, 0, 0));
        }
        assertEquals(Admission.ACCEPTED, p.admit("live", 0, 0));
        assertEquals(1001, p.camerasRemembered());
        assertEquals(Admission.ACCEPTED, p.admit("live", 59 * S, 59 * S), "the live camera sends on");
        assertEquals(1001, p.camerasRemembered(), "nothing is forgotten within the minute");
        assertEquals(Admission.ACCEPTED, p.admit("skewed", 0, 59 * S), "a camera whose clock is a minute behind");
        assertEquals(Admission.ACCEPTED, p.admit("other", 60 * S, 60 * S));
        assertEquals(3, p.camerasRemembered(), "a minute later only the cameras heard within it remain, by the"
                + " subtask's clock, not the cameras'");
        assertEquals(Admission.DROPPED_RATE, p.admit("live", 59 * S + 100_000, 60 * S), "the live camera's cap holds");
        assertEquals(Admission.ACCEPTED, p.admit("gone-7", 100_000, 60 * S), "a forgotten camera starts afresh");
    }

    @Test
    void aWallClockSteppingBackDoesNotStopTheForgetting() {
        FreshnessPolicy p = new FreshnessPolicy(Duration.ZERO, 5);
        p.admit("before-the-step", 100 * S, 100 * S);
        p.admit("after-the-step", 10 * S, 10 * S); // the clock stepped back 90 s
        p.admit("later", 71 * S, 71 * S);
        assertEquals(1, p.camerasRemembered(), "a minute after the step, both older cameras are forgotten");
    }
}
