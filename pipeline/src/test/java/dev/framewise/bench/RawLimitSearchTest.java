package dev.framewise.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.framewise.bench.RawLimitSearch.Config;
import dev.framewise.bench.RawLimitSearch.Result;
import dev.framewise.bench.RawLimitSearch.Settings;
import dev.framewise.bench.RawLimitSearch.Trial;
import dev.framewise.bench.RawLimitSearch.VariantResult;
import dev.framewise.model.arch.MobileNetV2;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The search's logic and bookkeeping, on a tiny model in very short slices: nothing here is a figure. */
class RawLimitSearchTest {
    static final MobileNetV2 TINY = MobileNetV2.custom("tiny", 0.25, 10);

    @TempDir
    Path dir;

    @Test
    void searchesTheGridAndComparesVariantsAtTheBest() throws Exception {
        Settings settings = new Settings(TINY, List.of(1, 2), List.of(1, 2), List.of(1, 3), 2, 0.05, 2,
                EnumSet.of(SessionVariant.NO_SPINNING, SessionVariant.PINNED_THREADS), 2);
        List<String> progress = new ArrayList<>();
        Result r = new RawLimitSearch(settings, progress::add).run(dir);

        // (2 sessions, 2 threads) exceeds 2 cores; the rest, in grid order, each at both batch sizes.
        List<String> grid = r.configs().stream().map(c -> c.sessions() + "x" + c.threads() + "@" + c.batch()).toList();
        assertEquals(List.of("1x1@1", "1x1@3", "1x2@1", "1x2@3", "2x1@1", "2x1@3"), grid);
        for (Config c : r.configs()) {
            // Two rounds, at least two batches per session per slice.
            assertTrue(c.batchesRun() >= 2 * 2 * c.sessions(), c.toString());
            assertTrue(c.framesPerSecond() > 0 && c.p50Ms() > 0 && c.p90Ms() >= c.p50Ms(), c.toString());
            assertEquals(2.0 * TINY.macs() * c.framesPerSecond() / 1e9, c.gflopsPerSecond(), 1e-6);
        }
        assertEquals(r.configs().stream().max(Comparator.comparingDouble(Config::framesPerSecond)).orElseThrow(),
                r.best());
        assertEquals("mobilenetv2-tiny", r.arch());

        // Only the variants asked for, in enum order; pinning needs worker threads.
        assertEquals(List.of(SessionVariant.NO_SPINNING, SessionVariant.PINNED_THREADS),
                r.variants().stream().map(VariantResult::variant).toList());
        VariantResult spinning = r.variants().get(0);
        assertEquals(2, spinning.trials().size(), "one trial per repetition");
        assertTrue(spinning.unavailable().isEmpty());
        for (Trial t : spinning.trials()) {
            assertTrue(t.jobFramesPerSecond() > 0 && t.variantFramesPerSecond() > 0, t.toString());
            assertTrue(t.jobBatch1P50Ms() > 0 && t.variantBatch1P50Ms() > 0, t.toString());
        }
        VariantResult pinned = r.variants().get(1);
        if (r.best().threads() == 1) {
            assertTrue(pinned.unavailable().isPresent());
            assertTrue(pinned.trials().isEmpty());
        } else {
            assertEquals(2, pinned.trials().size());
        }
        assertTrue(progress.stream().anyMatch(m -> m.startsWith("best: ")), progress.toString());
        assertTrue(r.machine().containsKey("load average before") && r.machine().containsKey("onnxruntime"));
    }

    @Test
    void defaultsFitTheCores() {
        Settings two = Settings.defaults(TINY, 2, false);
        assertEquals(List.of("1x1", "1x2", "2x1"), two.pairs().stream().map(p -> p[0] + "x" + p[1]).toList());
        assertEquals(List.of(1, 4, 8, 16), two.batches());
        assertEquals(3, two.repetitions());
        assertEquals(EnumSet.allOf(SessionVariant.class), EnumSet.copyOf(two.variants()));
        Settings quick = Settings.defaults(TINY, 2, true);
        assertEquals(List.of(1, 8), quick.batches());
        assertTrue(quick.sliceSeconds() < two.sliceSeconds() && quick.rounds() < two.rounds());
        Settings six = Settings.defaults(TINY, 6, false);
        assertEquals(List.of(1, 2, 4), six.sessions());
        assertTrue(six.pairs().stream().allMatch(p -> p[0] * p[1] <= 6));
    }

    @Test
    void settingsRefuseAGridThatDoesNotFit() {
        assertThrows(IllegalArgumentException.class,
                () -> new Settings(TINY, List.of(4), List.of(1), List.of(1), 2, 1, 1, Set.of(), 1));
        assertThrows(IllegalArgumentException.class,
                () -> new Settings(TINY, List.of(1), List.of(1), List.of(0), 2, 1, 1, Set.of(), 1));
        assertThrows(IllegalArgumentException.class,
                () -> new Settings(TINY, List.of(1), List.of(1), List.of(1), 2, 0, 1, Set.of(), 1));
    }

    @Test
    void aVariantHelpsOnlyWhenEveryRepetitionShowsAClearGain() {
        Trial faster = new Trial(100, 105, 10, 10);
        Trial quicker = new Trial(100, 99, 10, 9.5);
        Trial slightlyFaster = new Trial(100, 102, 10, 10);
        Trial fasterButSlowerToAnswer = new Trial(100, 110, 10, 11);
        assertTrue(new VariantResult(SessionVariant.NO_SPINNING, List.of(faster, quicker, faster), Optional.empty())
                .clearlyHelps());
        assertFalse(new VariantResult(SessionVariant.NO_SPINNING, List.of(faster, slightlyFaster, faster),
                Optional.empty()).clearlyHelps());
        assertFalse(new VariantResult(SessionVariant.NO_SPINNING, List.of(fasterButSlowerToAnswer), Optional.empty())
                .clearlyHelps());
        assertFalse(new VariantResult(SessionVariant.SHARED_POOL, List.of(), Optional.of("no pool")).clearlyHelps());
        VariantResult two = new VariantResult(SessionVariant.NO_SPINNING, List.of(faster, quicker), Optional.empty());
        assertEquals((1.05 + 0.99) / 2, two.medianThroughputRatio(), 1e-9);
        assertEquals((1.0 + 0.95) / 2, two.medianLatencyRatio(), 1e-9);
        Trial disturbed = new Trial(100, 40, 10, 30);
        VariantResult three = new VariantResult(SessionVariant.NO_SPINNING, List.of(faster, disturbed, quicker),
                Optional.empty());
        assertEquals(0.99, three.medianThroughputRatio(), 1e-9, "one disturbed slice does not move the median");
        assertEquals(1.0, three.medianLatencyRatio(), 1e-9);
        assertTrue(Double.isNaN(new VariantResult(SessionVariant.SHARED_POOL, List.of(), Optional.of("no pool"))
                .medianThroughputRatio()));
    }

    @Test
    void ratesOfConcurrentSessionsAddUp() {
        Tally t = new Tally(2, 4);
        t.add(0, 2_000_000_000L, List.of(500_000_000L, 500_000_000L, 500_000_000L, 500_000_000L));
        t.add(1, 1_000_000_000L, List.of(400_000_000L, 600_000_000L));
        assertEquals(16 / 2.0 + 8 / 1.0, t.framesPerSecond(), 1e-9);
        assertEquals(6, t.batches());
        assertEquals(500, t.latencyMs(50), 1e-9);
        assertEquals(600, t.latencyMs(90), 1e-9);
    }

    @Test
    void pinnedWorkersOfEachSessionTakeTheirOwnProcessors() {
        assertEquals("", SessionVariant.workerAffinities(0, 1));
        assertEquals("2", SessionVariant.workerAffinities(0, 2));
        assertEquals("6;7;8", SessionVariant.workerAffinities(1, 4));
        assertTrue(SessionVariant.SHARED_POOL.unavailable(2, false).isPresent());
        assertTrue(SessionVariant.SHARED_POOL.unavailable(2, true).isEmpty());
        assertTrue(SessionVariant.PINNED_THREADS.unavailable(1, true).isPresent());
    }
}
