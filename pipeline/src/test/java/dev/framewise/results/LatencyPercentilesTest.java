package dev.framewise.results;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class LatencyPercentilesTest {
    @Test
    void nearestRankPicksARecordedValue() {
        long[] sorted = LongStream.rangeClosed(1, 10).map(v -> v * 10).toArray();
        assertEquals(50, LatencyPercentiles.nearestRank(sorted, 50));
        assertEquals(90, LatencyPercentiles.nearestRank(sorted, 90));
        assertEquals(100, LatencyPercentiles.nearestRank(sorted, 99), "rank ceil(9.9) = 10");
        assertEquals(100, LatencyPercentiles.nearestRank(sorted, 100));
        assertEquals(10, LatencyPercentiles.nearestRank(sorted, 0.1), "rank ceil(0.01) = 1");
        assertEquals(7, LatencyPercentiles.nearestRank(new long[] {7}, 50));
        assertThrows(IllegalArgumentException.class, () -> LatencyPercentiles.nearestRank(sorted, 0));
        assertThrows(IllegalArgumentException.class, () -> LatencyPercentiles.nearestRank(sorted, 100.5));
        assertThrows(IllegalArgumentException.class, () -> LatencyPercentiles.nearestRank(new long[0], 50));
    }

    @Test
    void summaryOfOneToAHundred() {
        LatencyPercentiles p = new LatencyPercentiles(1000);
        assertTrue(p.summary().isEmpty());
        // Recorded out of order: the summary sorts.
        LongStream.rangeClosed(1, 100).map(v -> 101 - v).forEach(p::record);
        assertEquals(new LatencyPercentiles.Summary(100, 100, 50, 90, 99, 100), p.summary().orElseThrow());
    }

    @Test
    void theWindowKeepsTheMostRecentValues() {
        LatencyPercentiles p = new LatencyPercentiles(4);
        LongStream.of(1000, 1000, 1000, 1, 2, 3, 4).forEach(p::record);
        LatencyPercentiles.Summary s = p.summary().orElseThrow();
        assertEquals(7, s.count());
        assertEquals(4, s.windowSize());
        assertEquals(2, s.p50(), "the old, slow values have left the window");
        assertEquals(4, s.max());
    }
}
