package dev.framewise.results;

import static dev.framewise.results.TestResults.classification;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class CameraStatsTest {
    private static final long SECOND = 1_000_000_000L;

    /** Starts far from zero, as System.nanoTime does, and only moves when told. */
    private final AtomicLong clock = new AtomicLong(-7 * SECOND);
    private final CameraStats stats = new CameraStats(Duration.ofSeconds(5), 1000, clock::get);

    @Test
    void rowsPerCameraInIdOrder() {
        stats.record(classification("yard", 1, 40_000, "fox"));
        stats.record(classification("door", 1, 20_000, "cat"));
        stats.record(classification("door", 2, 30_000, "dog"));
        stats.recordDeadLetter(TestResults.deadLetter("door"));
        stats.recordDeadLetter(TestResults.deadLetter(null));

        List<CameraStats.Row> rows = stats.snapshot(clock.get());
        assertEquals(List.of(CameraStats.UNKNOWN_CAMERA, "door", "yard"), rows.stream().map(CameraStats.Row::cameraId).toList());
        CameraStats.Row unknown = rows.get(0);
        assertEquals(0, unknown.classified());
        assertEquals(1, unknown.deadLetters());
        assertEquals(List.of(), unknown.topLabels());
        assertTrue(Double.isNaN(unknown.p50Millis()));
        assertEquals(0.0, unknown.framesPerSecond());

        CameraStats.Row door = rows.get(1);
        assertEquals(2, door.classified());
        assertEquals(1, door.deadLetters());
        assertEquals(List.of(new CameraStats.LabelShare("cat", 0.5), new CameraStats.LabelShare("dog", 0.5)),
                door.topLabels(), "ties in label order");
        assertEquals(20.0, door.p50Millis(), "nearest rank of {20, 30} ms at 50%");
        assertEquals(30.0, door.p99Millis());
    }

    @Test
    void framesPerSecondSlideWithTheWindow() {
        // 10 frames a second for 10 seconds.
        for (int i = 0; i < 100; i++) {
            stats.record(classification("cam", i, 10_000, "cat"));
            clock.addAndGet(SECOND / 10);
        }
        assertEquals(10.0, stats.snapshot(clock.get()).get(0).framesPerSecond(), 1e-9, "50 frames in the last 5 s");
        clock.addAndGet(3 * SECOND);
        assertEquals(4.0, stats.snapshot(clock.get()).get(0).framesPerSecond(), 1e-9, "the last 2 s of frames remain");
        clock.addAndGet(3 * SECOND);
        assertEquals(0.0, stats.snapshot(clock.get()).get(0).framesPerSecond(), "a silent camera");
        assertEquals(100, stats.snapshot(clock.get()).get(0).classified());
    }

    @Test
    void aNewCameraIsMeasuredOverItsOwnLifetime() {
        for (int i = 0; i < 6; i++) {
            stats.record(classification("cam", i, 10_000, "cat"));
            clock.addAndGet(SECOND / 2);
        }
        // 6 frames over 3 s: 2 frames a second, not 6 / 5.
        assertEquals(2.0, stats.snapshot(clock.get()).get(0).framesPerSecond(), 1e-9);
    }

    @Test
    void latencyCoversTheRecentResultsOnly() {
        CameraStats small = new CameraStats(Duration.ofSeconds(5), 10, clock::get);
        for (int i = 0; i < 10; i++) {
            small.record(classification("cam", i, 500_000, "cat"));
        }
        for (int i = 10; i < 20; i++) {
            small.record(classification("cam", i, 5_000, "cat"));
        }
        CameraStats.Row row = small.snapshot(clock.get()).get(0);
        assertEquals(5.0, row.p99Millis(), "the slow start has left the window of 10");
        assertEquals(20, row.classified());
    }

    @Test
    void topLabelsAreTheMostFrequentOfTheRecentResults() {
        CameraStats small = new CameraStats(Duration.ofSeconds(5), 4, clock::get);
        for (String label : List.of("fox", "fox", "cat", "cat", "cat", "dog")) {
            small.record(classification("yard", 1, 1_000, label));
        }
        // The window of 4 holds the last four: cat, cat, cat, dog.
        assertEquals(List.of(new CameraStats.LabelShare("cat", 0.75), new CameraStats.LabelShare("dog", 0.25)),
                small.snapshot(clock.get()).get(0).topLabels());
    }

    @Test
    void theTableShowsEveryCamera() {
        stats.record(classification("door", 1, 12_345, "tabby cat"));
        stats.recordDeadLetter(TestResults.deadLetter("yard"));
        assertEquals(""
                + "camera  results  dead letters  frames/s  p50 ms  p99 ms  top labels (recent)\n"
                + "------  -------  ------------  --------  ------  ------  -------------------\n"
                + "door          1             0       1.0    12.3    12.3  tabby cat 100%\n"
                + "yard          0             1       0.0       -       -  -\n",
                CameraTable.render(stats.snapshot(clock.get())));
    }
}
