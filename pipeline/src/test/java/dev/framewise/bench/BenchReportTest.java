package dev.framewise.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.framewise.bench.BenchReport.Check;
import dev.framewise.bench.PipelineBenchmark.Load;
import dev.framewise.bench.PipelineBenchmark.Saturation;
import dev.framewise.bench.RawLimitSearch.Config;
import dev.framewise.model.arch.EfficientFormer;
import dev.framewise.operators.inference.BatchSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The report's arithmetic and files, on figures made up for the purpose: no measurement here. */
class BenchReportTest {
    @TempDir
    Path dir;

    private static final Map<String, String> MACHINE = Map.of("cpu", "test CPU", "cores", "2", "onnxruntime", "1.28.0",
            "java", "OpenJDK 17");
    private static final MachinePeak PEAK = MachinePeak.from(2, List.of("cpu MHz : 2000", "flags : fma avx2"), List.of());

    private static Load load(int pct, double p99, long sent, long classified, long dropped, List<Long> lag) {
        return new Load(pct, 60.0 * pct / 100, sent, classified, 0, dropped, 30, p99 / 2, p99 * 0.8, p99, p99 * 1.1,
                0.001, 0.02, halfSecondApart(lag), new PipelineBenchmark.Breakdown(3, p99, 5, 2, 20, p99 - 27, 2),
                Map.of(CpuShares.Part.TASKS, 0.4 + pct / 1000.0, CpuShares.Part.BENCH_DRIVER, 0.01));
    }

    private static BenchReport.Run run(double pipelineFps, double p99At50, double p99At150, long dropped, List<Long> lag) {
        // The job's configuration, 2 sessions x 1 thread: batch 1 in 30 ms, batch 4 in 120 ms.
        RawLimitSearch.Result job = new RawLimitSearch.Result(List.of(new Config(2, 1, 1, 62, 30, 35, 80, 100),
                new Config(2, 1, 4, 64, 120, 130, 83, 40)), new Config(2, 1, 4, 64, 120, 130, 83, 40), List.of(),
                "efficientformer-l1", PEAK, MACHINE);
        RawLimitSearch.Result limit = new RawLimitSearch.Result(List.of(new Config(1, 2, 1, 60, 17, 19, 78, 100),
                new Config(2, 1, 4, 64, 120, 130, 83, 40)), new Config(2, 1, 4, 64, 120, 130, 83, 40), List.of(),
                "efficientformer-l1", PEAK, MACHINE);
        PipelineBenchmark.Settings ps = new PipelineBenchmark.Settings(EfficientFormer.L1, 2, 1,
                new BatchSettings(4, Duration.ofMillis(20), Duration.ofMillis(1)), Duration.ofSeconds(1), false, true,
                4, 640, 480, 300, 1, 1, Duration.ofSeconds(100), Duration.ofSeconds(4),
                Duration.ofSeconds(8), List.of(50, 150));
        PipelineBenchmark.WarmUp warmUp = new PipelineBenchmark.WarmUp(List.of(
                new PipelineBenchmark.WarmUpStep(2, 80, 40, 0.6), new PipelineBenchmark.WarmUpStep(4, 180, 50, 0.2),
                new PipelineBenchmark.WarmUpStep(6, 290, 55, 0.03), new PipelineBenchmark.WarmUpStep(8, 405, 57.5, 0.01),
                new PipelineBenchmark.WarmUpStep(10, 520, 57.5, 0.01)), true, 620);
        Saturation full = new Saturation(pipelineFps, 0.005, 0.01, 3.0, 125, 3.9, warmUp, Double.NaN, Map.of());
        Saturation reduced = new Saturation(pipelineFps * 1.01, 0.005, 0.01, 2.2, 125, 3.9, warmUp, Double.NaN,
                Map.of());
        PipelineBenchmark.Result p = new PipelineBenchmark.Result(warmUp, List.of(), List.of(), full, reduced, false, 20, List.of(
                load(50, p99At50, 240, 240, 0, List.of(1L, 2L, 1L, 2L)),
                load(150, p99At150, 720, 720 - dropped, dropped, lag)), 11_000);
        return new BenchReport.Run(Instant.parse("2026-11-29T00:00:00Z"), MACHINE, PEAK, List.of(job), limit, ps, p);
    }

    private static Check check(BenchReport.Run run, String prefix) {
        return BenchReport.checks(run).stream().filter(c -> c.name().startsWith(prefix)).findFirst().orElseThrow();
    }

    @Test
    void targetsAreRatiosOfFiguresFromTheSameRun() {
        List<Long> flat = List.of(10L, 60L, 80L, 81L, 80L, 79L, 81L, 80L);
        BenchReport.Run good = run(58, 100, 1230, 300, flat);
        assertTrue(check(good, "pipeline / raw").met(), "58 / 64 = 0.906");
        assertEquals("0.906", check(good, "pipeline / raw").measured());
        assertTrue(check(good, "pipeline / naive").met(), "58 / 20 = 2.9");
        assertTrue(check(good, "p99 at 50").met(), "100 <= 3 x 30 + 20");
        assertTrue(check(good, "p99 at 150").met(), "1230 <= 1000 + 2 x 120");
        assertTrue(check(good, "frames at 150").met());
        assertTrue(check(good, "consumer lag").met(), "flat after the first half");
        assertTrue(check(good, "GC").met());

        BenchReport.Run bad = run(57, 111, 1241, 300, List.of(10L, 20L, 30L, 40L, 50L, 60L, 70L, 80L));
        assertFalse(check(bad, "pipeline / raw").met(), "57 / 64 = 0.89");
        assertFalse(check(bad, "p99 at 50").met(), "111 > 110");
        assertFalse(check(bad, "p99 at 150").met(), "1241 > 1240");
        assertFalse(check(bad, "consumer lag").met(), "20 frames/s of growth");
    }

    @Test
    void figuresMeasuredBeforeTheJitSettledAreCalledRoughUnderTheTargets() {
        BenchReport.Run settled = run(58, 100, 1230, 300, List.of(1L, 1L, 1L, 1L));
        assertFalse(BenchReport.markdown(settled, null).contains("Rough figures"));
        PipelineBenchmark.Result p = settled.pipeline();
        PipelineBenchmark.WarmUp cut = new PipelineBenchmark.WarmUp(p.warmUp().steps(), false, p.warmUp().sent());
        BenchReport.Run quick = new BenchReport.Run(settled.when(), settled.machine(), settled.peak(), settled.models(),
                settled.limit(), settled.pipelineSettings(), new PipelineBenchmark.Result(cut, p.rounds(),
                        p.rawSlices(), p.fullDecode(), p.reducedDecode(), false, p.naiveFps(), p.loads(),
                        p.pictureBytes()));
        String md = BenchReport.markdown(quick, null);
        assertTrue(md.contains("Rough figures: the JIT compilers were still compiling when the warm-up ended after"
                + " 10 s"), md);
        assertTrue(md.indexOf("## Targets") < md.indexOf("Rough figures")
                && md.indexOf("Rough figures") < md.indexOf("## Model"), "right under the targets");
    }

    @Test
    void lagGrowthIsTheSlopeOfEverySampleInTheSecondHalfAgainstItsTime() {
        assertEquals(4.0, BenchReport.lagGrowthPerSecond(halfSecondApart(List.of(0L, 5L, 9L, 12L, 14L, 16L, 18L, 20L))),
                1e-9, "2 frames every half second");
        // Flat but for a batch's frames still in flight at the last sample: the two ends alone would say 8 / 3.5 s.
        assertEquals(4 / 3.0, BenchReport.lagGrowthPerSecond(halfSecondApart(List.of(0L, 40L, 70L, 80L, 80L, 80L, 80L,
                80L, 80L, 80L, 80L, 80L, 80L, 80L, 80L, 88L))), 1e-9);
        // A sample late by two seconds (a slow metrics read) counts at its time, not its place: 2 frames/s throughout.
        List<PipelineBenchmark.LagSample> late = List.of(new PipelineBenchmark.LagSample(0.5, 91),
                new PipelineBenchmark.LagSample(1.0, 92), new PipelineBenchmark.LagSample(1.5, 93),
                new PipelineBenchmark.LagSample(2.0, 94), new PipelineBenchmark.LagSample(2.5, 95),
                new PipelineBenchmark.LagSample(3.0, 96), new PipelineBenchmark.LagSample(5.0, 100),
                new PipelineBenchmark.LagSample(5.5, 101));
        assertEquals(2.0, BenchReport.lagGrowthPerSecond(late), 1e-9);
        assertEquals(0.0, BenchReport.lagGrowthPerSecond(halfSecondApart(List.of(5L, 6L, 7L))), "too few to tell");
    }

    private static List<PipelineBenchmark.LagSample> halfSecondApart(List<Long> frames) {
        return java.util.stream.IntStream.range(0, frames.size())
                .mapToObj(i -> new PipelineBenchmark.LagSample(0.5 * (i + 1), frames.get(i))).toList();
    }

    @Test
    void theLimitIsTheFastestRawFigureOfTheRunWhereverItWasMeasured() {
        BenchReport.Run run = run(58, 100, 1230, 300, List.of(1L, 1L, 1L, 1L));
        RawLimitSearch.Result job = run.models().get(0);
        Config faster = new Config(2, 1, 8, 70, 230, 240, 90, 40);
        RawLimitSearch.Result withFaster = new RawLimitSearch.Result(List.of(job.configs().get(0), job.configs().get(1),
                faster), job.best(), List.of(), job.arch(), job.peak(), job.machine());
        BenchReport.Run drifted = new BenchReport.Run(run.when(), run.machine(), run.peak(), List.of(withFaster),
                run.limit(), run.pipelineSettings(), run.pipeline());
        assertEquals(faster, BenchReport.limit(drifted));
        assertEquals("0.829", check(drifted, "pipeline / raw").measured(), "58 / 70, not 58 / 64");
    }

    /** The run's figures with these backlogs of the job, each with the limit measured around it. */
    private static BenchReport.Run withBacklogs(BenchReport.Run run, List<Saturation> rounds,
            List<PipelineBenchmark.RawSlice> rawSlices) {
        PipelineBenchmark.Result p = run.pipeline();
        return new BenchReport.Run(run.when(), run.machine(), run.peak(), run.models(), run.limit(),
                run.pipelineSettings(), new PipelineBenchmark.Result(p.warmUp(), rounds, rawSlices, p.fullDecode(),
                        p.reducedDecode(), false, p.naiveFps(), p.loads(), p.pictureBytes()));
    }

    private static Saturation backlog(BenchReport.Run run, double fps, double limit,
            Map<CpuShares.Part, Double> cpu) {
        Saturation f = run.pipeline().fullDecode();
        return new Saturation(fps, f.gcFraction(), f.jitFraction(), f.decodeMs(), f.inferenceMs(), f.meanBatch(),
                f.warmUp(), limit, cpu);
    }

    private static final List<PipelineBenchmark.RawSlice> SLICES = List.of(new PipelineBenchmark.RawSlice(64.5, 0.02),
            new PipelineBenchmark.RawSlice(63.5, 0.03), new PipelineBenchmark.RawSlice(62.5, 0.01),
            new PipelineBenchmark.RawSlice(61.5, 0.02));

    @Test
    void theLimitIsMeasuredSideBySideAndTheFastestRawFigureIsShownForReference() {
        // 56 / 64 = 0.875 against the fastest raw figure; the backlogs against the raw slices right around them pass.
        BenchReport.Run run = run(56, 100, 1230, 300, List.of(1L, 1L, 1L, 1L));
        BenchReport.Run sideBySide = withBacklogs(run, List.of(backlog(run, 60, 64, Map.of()),
                backlog(run, 58, 63, Map.of()), backlog(run, 57, 62, Map.of())), SLICES);
        Check c = check(sideBySide, "pipeline / raw");
        assertEquals("pipeline / raw ONNX Runtime limit, side by side", c.name());
        assertEquals("0.921 (against the fastest raw figure of the run: 0.875)", c.measured(),
                "the median of 60/64, 58/63 and 57/62; 56 / 64");
        assertTrue(c.met());
        assertEquals(63, sideBySide.pipeline().limitSideBySideFps());
        String md = BenchReport.markdown(sideBySide, null);
        assertTrue(md.contains("backlog by backlog: 0.938, 0.921, 0.919, median **0.921**"), md);
        assertTrue(md.contains("the 4 raw slices of that configuration through the run measured 61.5 to 64.5"), md);
        assertTrue(md.contains("the rest of the JVM took 1.0 to 3.0 % of it meanwhile"), md);
        assertTrue(md.contains("the job reaches 0.875 of it"), md);

        BenchReport.Run under = withBacklogs(run, List.of(backlog(run, 60, 64, Map.of()),
                backlog(run, 56, 63, Map.of()), backlog(run, 55, 62, Map.of())), SLICES);
        assertFalse(check(under, "pipeline / raw").met(), "the median backlog, 56 / 63 = 0.889");
        assertEquals("pipeline / raw ONNX Runtime limit (the fastest raw figure of the run)", check(run,
                "pipeline / raw").name(), "nothing side by side: the fastest raw figure is all there is");
        assertFalse(check(run, "pipeline / raw").met());
    }

    @Test
    void theMedianSkipsMissingFiguresAndAveragesTheMiddleTwo() {
        assertEquals(2.5, RawLimitSearch.median(new double[] {4, Double.NaN, 1, 3, 2}), 1e-9);
        assertEquals(3, RawLimitSearch.median(new double[] {5, 3, 1}), 1e-9);
        assertTrue(Double.isNaN(RawLimitSearch.median(new double[] {Double.NaN})));
    }

    @Test
    void backlogsOfFewerThanFiftyFramesAreRefused() {
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> new PipelineBenchmark.Settings(EfficientFormer.L1, 2, 1,
                        new BatchSettings(1, Duration.ofMillis(20), Duration.ofMillis(1)),
                        Duration.ofSeconds(1), true, true, 4, 640, 480, 120, 1, 3, Duration.ofSeconds(45),
                        Duration.ofSeconds(2), Duration.ofSeconds(8), List.of(50)), "120 frames in 3 backlogs: 40 each");
    }

    @Test
    void aRawSliceCountsAsIfTheSessionsHadHadTheWholeMachine() {
        assertEquals(60.0, new PipelineBenchmark.RawSlice(58.8, 0.02).wholeMachineFps(), 1e-9,
                "the rest of the JVM took 2 % of the machine: the sessions would have done 58.8 / 0.98");
        assertEquals(58.8, new PipelineBenchmark.RawSlice(58.8, Double.NaN).wholeMachineFps(), 1e-9,
                "sessions with worker threads of their own: the share is unknown, the slice counts as measured");
    }

    @Test
    void theCpuTableIsTheMeanOverTheBacklogs() {
        BenchReport.Run run = run(58, 100, 1230, 300, List.of(1L, 1L, 1L, 1L));
        BenchReport.Run measured = withBacklogs(run, List.of(
                backlog(run, 58, 63, Map.of(CpuShares.Part.TASKS, 0.90, CpuShares.Part.BROKER, 0.04)),
                backlog(run, 58, 63, Map.of(CpuShares.Part.TASKS, 0.86, CpuShares.Part.BROKER, 0.02))), List.of(new PipelineBenchmark.RawSlice(63, 0.02)));
        Map<CpuShares.Part, Double> mean = BenchReport.cpuShares(measured.pipeline());
        assertEquals(0.88, mean.get(CpuShares.Part.TASKS), 1e-9);
        assertEquals(0.03, mean.get(CpuShares.Part.BROKER), 1e-9);
        assertTrue(BenchReport.markdown(measured, null).contains("| the broker | 3.0 % |"));
    }

    @Test
    void aRunWithoutTheOtherDecodingWaySaysSoAndLeavesItOutOfTheJson() throws Exception {
        BenchReport.Run run = run(58, 100, 1230, 300, List.of(1L, 1L, 1L, 1L));
        PipelineBenchmark.Result p = run.pipeline();
        assertTrue(BenchReport.markdown(run, null).contains("- the same with reduced-size JPEG decoding"));
        BenchReport.Run quick = new BenchReport.Run(run.when(), run.machine(), run.peak(), run.models(), run.limit(),
                run.pipelineSettings(), new PipelineBenchmark.Result(p.warmUp(), p.rounds(), p.rawSlices(),
                        p.fullDecode(), null, false, p.naiveFps(), p.loads(), p.pictureBytes()));
        String md = BenchReport.markdown(quick, null);
        assertTrue(md.contains("- reduced-size JPEG decoding: not measured in this run"), md);
        assertFalse(md.contains("the same with reduced-size"), md);
        JsonNode root = new ObjectMapper().readTree(BenchReport.json(quick));
        assertEquals(58, root.get("pipeline_fps_full_size_decode").asDouble(), 1e-9);
        assertFalse(root.has("pipeline_fps_reduced_size_decode"), "not measured: left out, not null");
        assertFalse(root.has("decode_ms_reduced_size"));
    }

    @Test
    void theJsonHoldsTheCpuSharesAndEveryRawSlice() throws Exception {
        BenchReport.Run run = run(58, 100, 1230, 300, List.of(1L, 1L, 1L, 1L));
        BenchReport.Run measured = withBacklogs(run, List.of(
                backlog(run, 58, 63, Map.of(CpuShares.Part.TASKS, 0.90, CpuShares.Part.BROKER, 0.04)),
                backlog(run, 58, 63, Map.of(CpuShares.Part.TASKS, 0.86, CpuShares.Part.BROKER, 0.02))),
                List.of(new PipelineBenchmark.RawSlice(60, 0.04), new PipelineBenchmark.RawSlice(66, Double.NaN)));
        JsonNode root = new ObjectMapper().readTree(BenchReport.json(measured));
        assertEquals(0.88, root.get("saturation_cpu_shares").get("tasks").asDouble(), 1e-9);
        assertEquals(0.03, root.get("saturation_cpu_shares").get("broker").asDouble(), 1e-9);
        JsonNode slices = root.get("raw_limit_slices");
        assertEquals(2, slices.size());
        assertEquals(0.04, slices.get(0).get("rest_of_jvm_share").asDouble(), 1e-9);
        assertEquals(62.5, slices.get(0).get("whole_machine_fps").asDouble(), 1e-9, "60 / (1 - 0.04)");
        assertFalse(slices.get(1).has("rest_of_jvm_share"), "an unknown share is left out, not written as NaN");
        JsonNode load = root.get("loads").get(0);
        assertEquals(0.02, load.get("jit_fraction").asDouble(), 1e-9);
        assertEquals(2, load.get("lag_samples").get(1).asLong());
        assertEquals(1.0, load.get("lag_sample_times_s").get(1).asDouble(), 1e-9);
        assertEquals(0.45, load.get("cpu_shares").get("tasks").asDouble(), 1e-9);
        String md = BenchReport.markdown(measured, null);
        assertTrue(md.contains("| 0.1 % | 2.0 % | 1, 2 |"), "GC, JIT and the lag's ends in the load table");
        assertTrue(md.contains("| part | 50 % | 150 % |\n|---|---:|---:|\n| " + CpuShares.Part.TASKS.label
                + " | 45.0 % | 55.0 % |\n"), md);
        assertTrue(md.contains("| " + CpuShares.Part.BENCH_DRIVER.label + " | 1.0 % | 1.0 % |"), md);
        assertFalse(md.substring(md.indexOf("while each load was offered")).contains(CpuShares.Part.BROKER.label),
                "parts with no time in any load are left out");
        assertEquals(66, slices.get(1).get("whole_machine_fps").asDouble(), 1e-9, "unknown share: as measured");
    }

    @Test
    void aFrameUnaccountedForFailsTheCount() {
        BenchReport.Run run = run(58, 100, 1230, 300, List.of(1L, 1L, 1L, 1L));
        PipelineBenchmark.Result p = run.pipeline();
        Load l = p.loads().get(1);
        Load missing = new Load(l.offeredPercent(), l.offeredFps(), l.sent(), l.classified() - 1, l.deadLettered(),
                l.dropped(), l.achievedFps(), l.p50Ms(), l.p90Ms(), l.p99Ms(), l.maxMs(), l.gcFraction(),
                l.jitFraction(), l.lag(), l.slowest(), l.cpu());
        BenchReport.Run lost = new BenchReport.Run(run.when(), run.machine(), run.peak(), run.models(), run.limit(),
                run.pipelineSettings(), new PipelineBenchmark.Result(p.warmUp(), p.rounds(), p.rawSlices(), p.fullDecode(), p.reducedDecode(), false,
                        p.naiveFps(), List.of(p.loads().get(0), missing), p.pictureBytes()));
        assertFalse(check(lost, "frames at 150").met());
    }

    @Test
    void sizingPaysEachFramesDecodingOnTopOfTheRawRate() {
        BenchReport.Sizing z = BenchReport.sizing(run(58, 100, 1230, 300, List.of(1L, 1L, 1L, 1L))).get(0);
        assertEquals("efficientformer-l1", z.arch());
        assertEquals(4, z.batch());
        assertEquals(32, z.rawFpsPerCore(), 1e-9, "64 frames/s on 2 cores");
        assertEquals(1000 / (1000 / 32.0 + 3.0), z.jobFpsPerCore(), 1e-9, "31.25 ms of inference + 3 ms of decoding");
    }

    @Test
    void theJsonHoldsEveryFigureTheIssueNamesAndTheFilesAreWritten() throws Exception {
        BenchReport.Run run = run(58, 100, 1230, 300, List.of(1L, 1L, 1L, 1L));
        Path md = BenchReport.write(run, dir.resolve("bench-results"));
        assertTrue(Files.readString(md).contains("| pipeline / raw ONNX Runtime limit (the fastest raw figure of the run) | 0.906 | >= 0.9 | yes |"));
        Path json = md.resolveSibling(md.getFileName().toString().replace(".md", ".json"));
        Path svg = md.resolveSibling(md.getFileName().toString().replace(".md", ".svg"));
        assertTrue(Files.readString(svg).startsWith("<svg") || Files.readString(svg).startsWith("<?xml"));
        JsonNode root = new ObjectMapper().readTree(json.toFile());
        assertEquals(64, root.get("raw_best_fps").asDouble());
        assertEquals(30, root.get("raw_batch1_latency_ms").asDouble());
        assertEquals(58, root.get("pipeline_fps").asDouble());
        assertEquals(20, root.get("naive_fps").asDouble());
        assertEquals(20, root.get("max_batch_delay_ms").asLong());
        assertEquals(1, root.get("max_batch_gap_ms").asLong());
        JsonNode loads = root.get("loads");
        assertEquals(2, loads.size());
        JsonNode overload = loads.get(1);
        assertEquals(150, overload.get("offered_pct").asInt());
        for (String key : List.of("p50_ms", "p99_ms", "dropped", "sent", "classified", "dead_lettered", "gc_fraction")) {
            assertTrue(overload.has(key), key);
        }
        assertEquals(300, overload.get("dropped").asLong());
        assertEquals(29.0, root.get("pipeline_fps_per_core").asDouble());
        assertEquals("efficientformer-l1", root.get("sizing").get(0).get("arch").asText());
        assertEquals(720, overload.get("sent").asLong());
        assertTrue(root.get("warm_up_settled").asBoolean());
        assertEquals(5, root.get("warm_up_steps").size());
        assertEquals(0.01, root.get("saturation_jit_fraction").asDouble());
    }

    @Test
    void theWarmUpEndsWhenTheJitCompilersHaveBeenQuietForTenSeconds() {
        double[] jit = {0.6, 0.02, 0.03, 0.01, 0.02, 0.1, 0, 0};
        List<PipelineBenchmark.WarmUpStep> steps = new java.util.ArrayList<>();
        for (int i = 0; i < jit.length; i++) {
            steps.add(new PipelineBenchmark.WarmUpStep(2 * (i + 1), 80 + 115L * i, 57.5, jit[i]));
            boolean expected = i == 7; // the mean of the last 5 steps of 2 s under 3 % of a core
            assertEquals(expected, PipelineBenchmark.settled(steps), "after step " + (i + 1));
        }
        PipelineBenchmark.WarmUp warmUp = new PipelineBenchmark.WarmUp(steps, true, 900);
        assertEquals(540 / 10.0, warmUp.fps(true), 1e-9, "the first five steps");
        assertEquals((885 - 310) / 10.0, warmUp.fps(false), 1e-9, "the last five steps");
        assertEquals(885, warmUp.classified());
        assertEquals(16, warmUp.seconds());
    }
}
