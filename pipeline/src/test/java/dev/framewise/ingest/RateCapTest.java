package dev.framewise.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class RateCapTest {
    /** How many of {@code frames} frames at {@code sourceFps}, with up to {@code jitterMicros} of jitter, pass. */
    private static int admitted(double sourceFps, double cap, int frames, long jitterMicros) {
        RateCap rateCap = new RateCap(cap);
        int passed = 0;
        for (int i = 0; i < frames; i++) {
            long jitter = i % 2 == 0 ? jitterMicros : -jitterMicros;
            if (rateCap.admit(Math.round(i * 1e6 / sourceFps) + (i == 0 ? 0 : jitter))) {
                passed++;
            }
        }
        return passed;
    }

    @Test
    void dropsDownToTheCap() {
        assertEquals(10, admitted(30, 10, 30, 0));
        assertEquals(20, admitted(30, 20, 30, 0));
        assertEquals(290, admitted(30, 29, 300, 0), 1);
        assertEquals(5, admitted(25, 5, 25, 0));
    }

    @Test
    void aSourceAtOrBelowTheCapLosesNothingEvenWithJitter() {
        assertEquals(250, admitted(25, 25, 250, 8_000));
        assertEquals(100, admitted(10, 25, 100, 20_000));
    }

    @Test
    void aPauseDoesNotLetABurstThrough() {
        RateCap cap = new RateCap(10);
        assertTrue(cap.admit(0));
        assertTrue(cap.admit(5_000_000), "after a pause, the next frame goes");
        assertFalse(cap.admit(5_033_000), "but the grid restarts there: no catching up");
        assertTrue(cap.admit(5_100_000));
    }
}
