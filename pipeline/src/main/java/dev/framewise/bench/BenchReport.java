package dev.framewise.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.framewise.bench.PipelineBenchmark.Load;
import dev.framewise.bench.RawLimitSearch.Config;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * One benchmark run as a Markdown report, a JSON file of every figure, and the latency-versus-load
 * plot. Every figure comes from the same run on the same machine, and the targets are checked as
 * ratios of figures measured side by side.
 */
public final class BenchReport {
    /** Targets of the job, for EfficientFormer-L1 on a CPU. */
    static final double PIPELINE_OVER_LIMIT = 0.90;
    static final double PIPELINE_OVER_NAIVE = 1.25;
    static final double GC_FRACTION = 0.02;
    /** Lag may grow by at most this fraction of the offered rate and still count as flat. */
    static final double FLAT_LAG = 0.05;

    /**
     * @param models per architecture, the job's session configuration at each batch size
     * @param limit the raw search for the pipeline's architecture; null when the pipeline was not run
     * @param pipeline null when only the model part ran
     */
    public record Run(Instant when, Map<String, String> machine, MachinePeak peak, List<RawLimitSearch.Result> models,
            RawLimitSearch.Result limit, PipelineBenchmark.Settings pipelineSettings, PipelineBenchmark.Result pipeline) {
    }

    /** A target: the measured figure, what it must be, and whether it is. */
    public record Check(String name, String measured, String target, boolean met) {
    }

    private BenchReport() {
    }

    /** The job's configuration (slots x threads) at {@code batch} for the pipeline's architecture. */
    static Optional<Config> jobConfig(Run run, int batch) {
        if (run.pipelineSettings() == null) {
            return Optional.empty();
        }
        String arch = run.pipelineSettings().arch().id();
        return run.models().stream().filter(r -> r.arch().equals(arch)).flatMap(r -> r.configs().stream())
                .filter(c -> c.sessions() == run.pipelineSettings().slots() && c.threads() == run.pipelineSettings().threads()
                        && c.batch() == batch)
                .findFirst();
    }

    /**
     * Cluster sizing for one architecture: raw frames/s per core at the job's sessions, threads and
     * batch, and what the job should do per core once each frame's decoding (as measured in the
     * pipeline) is paid on top.
     */
    public record Sizing(String arch, int batch, double rawFpsPerCore, double jobFpsPerCore) {
    }

    static List<Sizing> sizing(Run run) {
        List<Sizing> out = new ArrayList<>();
        if (run.pipelineSettings() == null) {
            return out;
        }
        PipelineBenchmark.Settings ps = run.pipelineSettings();
        int cores = ps.slots() * ps.threads();
        double decodeMs = run.pipeline().saturation().decodeMs();
        for (RawLimitSearch.Result m : run.models()) {
            m.configs().stream().filter(c -> c.sessions() == ps.slots() && c.threads() == ps.threads()
                    && c.batch() == ps.batching().maxBatchSize()).findFirst().ifPresent(c -> {
                        double raw = c.framesPerSecond() / cores;
                        out.add(new Sizing(m.arch(), c.batch(), raw, 1000 / (1000 / raw + decodeMs)));
                    });
        }
        return out;
    }

    /**
     * The limit's configuration: the fastest raw configuration of the pipeline's architecture measured
     * anywhere in the run, the limit search or the model table. It runs raw again next to the job's
     * backlogs, and the target is checked against those slices; its figure here, measured minutes away
     * from the job, counts only when there are none.
     */
    static Config limit(Run run) {
        return fastest(run.limit(), run.models());
    }

    /** The fastest configuration of the limit search's architecture among the search and the model tables. */
    public static Config fastest(RawLimitSearch.Result limit, List<RawLimitSearch.Result> models) {
        Config best = limit.best();
        for (RawLimitSearch.Result m : models) {
            if (m.arch().equals(limit.arch())) {
                for (Config c : m.configs()) {
                    if (c.framesPerSecond() > best.framesPerSecond()) {
                        best = c;
                    }
                }
            }
        }
        return best;
    }

    private static String joined(List<PipelineBenchmark.Saturation> rounds,
            java.util.function.ToDoubleFunction<PipelineBenchmark.Saturation> f, String format) {
        return rounds.stream().map(r -> String.format(Locale.ROOT, format, f.applyAsDouble(r)))
                .collect(java.util.stream.Collectors.joining(", "));
    }

    public static List<Check> checks(Run run) {
        List<Check> checks = new ArrayList<>();
        if (run.pipeline() == null) {
            return checks;
        }
        PipelineBenchmark.Settings ps = run.pipelineSettings();
        PipelineBenchmark.Result p = run.pipeline();
        // Side by side when the limit's configuration ran next to the backlogs: the machine's speed drifts by several
        // per cent within a minute, and the fastest raw figure of the run was measured minutes away from the job,
        // at whatever speed the machine had then. It stays in the report for reference.
        double strict = p.saturatedFps() / limit(run).framesPerSecond();
        double sideBySide = p.overLimitSideBySide();
        if (Double.isNaN(sideBySide)) {
            checks.add(new Check("pipeline / raw ONNX Runtime limit (the fastest raw figure of the run)", f3(strict),
                    ">= " + PIPELINE_OVER_LIMIT, strict >= PIPELINE_OVER_LIMIT));
        } else {
            checks.add(new Check("pipeline / raw ONNX Runtime limit, side by side", f3(sideBySide)
                    + " (against the fastest raw figure of the run: " + f3(strict) + ")", ">= " + PIPELINE_OVER_LIMIT,
                    sideBySide >= PIPELINE_OVER_LIMIT));
        }
        checks.add(new Check("pipeline / naive job", f2(p.saturatedFps() / p.naiveFps()), ">= " + PIPELINE_OVER_NAIVE,
                p.saturatedFps() / p.naiveFps() >= PIPELINE_OVER_NAIVE));
        double batch1 = jobConfig(run, 1).map(Config::p50Ms).orElse(Double.NaN);
        double batchTime = jobConfig(run, ps.batching().maxBatchSize()).map(Config::p50Ms).orElse(Double.NaN);
        double delay = ps.batching().maxBatchDelay().toMillis();
        load(p, 50).ifPresent(l -> {
            double bound = 3 * batch1 + delay;
            checks.add(new Check("p99 at 50 % load (ms)", f1(l.p99Ms()),
                    String.format(Locale.ROOT, "<= 3 x %.1f + %.0f = %.1f", batch1, delay, bound), l.p99Ms() <= bound));
        });
        load(p, 150).ifPresent(l -> {
            double bound = ps.maxAge().toMillis() + 2 * batchTime;
            checks.add(new Check("p99 at 150 % load (ms)", f1(l.p99Ms()),
                    String.format(Locale.ROOT, "<= %d + 2 x %.1f = %.1f", ps.maxAge().toMillis(), batchTime, bound),
                    l.p99Ms() <= bound));
            long accounted = l.classified() + l.deadLettered() + l.dropped();
            checks.add(new Check("frames at 150 % load", String.format(Locale.ROOT, "sent %d = %d + %d + %d dropped",
                    l.sent(), l.classified(), l.deadLettered(), l.dropped()), "sent = classified + dead-lettered + dropped",
                    accounted == l.sent()));
            double growth = lagGrowthPerSecond(l.lag());
            checks.add(new Check("consumer lag growth at 150 % load (frames/s)", f1(growth),
                    String.format(Locale.ROOT, "<= %.1f (%.0f %% of the offered rate)", FLAT_LAG * l.offeredFps(),
                            FLAT_LAG * 100), growth <= FLAT_LAG * l.offeredFps()));
        });
        double gc = Math.max(p.saturation().gcFraction(),
                p.loads().stream().mapToDouble(Load::gcFraction).max().orElse(0));
        checks.add(new Check("GC time (share of the run, worst phase)", pct(gc), "< " + pct(GC_FRACTION), gc < GC_FRACTION));
        return checks;
    }

    /**
     * How fast the frames in flight grew over the phase's second half, in frames per second: the least-squares slope
     * of its samples against their times. Every sample counts, so a batch finishing just before the last one does not
     * swing it by the batch's size.
     */
    static double lagGrowthPerSecond(List<PipelineBenchmark.LagSample> lag) {
        if (lag.size() < 4) {
            return 0;
        }
        List<PipelineBenchmark.LagSample> half = lag.subList(lag.size() / 2, lag.size());
        double meanT = half.stream().mapToDouble(PipelineBenchmark.LagSample::seconds).average().orElse(0);
        double meanF = half.stream().mapToLong(PipelineBenchmark.LagSample::frames).average().orElse(0);
        double stf = 0;
        double stt = 0;
        for (PipelineBenchmark.LagSample x : half) {
            stf += (x.seconds() - meanT) * (x.frames() - meanF);
            stt += (x.seconds() - meanT) * (x.seconds() - meanT);
        }
        return stt == 0 ? 0 : stf / stt;
    }

    private static Optional<Load> load(PipelineBenchmark.Result p, int pct) {
        return p.loads().stream().filter(l -> l.offeredPercent() == pct).findFirst();
    }

    public static String markdown(Run run, String plotFile) {
        StringBuilder s = new StringBuilder();
        s.append("# Framewise benchmark\n\n");
        s.append(String.format(Locale.ROOT, "%s; %s cores (%s); ONNX Runtime %s; %s. Generated weights: speed, not"
                + " accuracy. One run: every figure below was measured in it, side by side.%n%n", run.when(),
                run.machine().get("cores"), run.machine().get("cpu"), run.machine().get("onnxruntime"),
                run.machine().get("java")));
        s.append("Peak estimate: ").append(run.peak().describe()).append("\n\n");
        List<Check> checks = checks(run);
        if (!checks.isEmpty()) {
            s.append("## Targets (").append(run.pipelineSettings().arch().id()).append(")\n\n");
            s.append("| figure | measured | target | met |\n|---|---|---|---|\n");
            for (Check c : checks) {
                s.append("| ").append(c.name()).append(" | ").append(c.measured()).append(" | ").append(c.target())
                        .append(" | ").append(c.met() ? "yes" : "**no**").append(" |\n");
            }
            s.append('\n');
            PipelineBenchmark.WarmUp w = run.pipeline() == null ? null : run.pipeline().warmUp();
            if (w != null && !w.settled()) {
                s.append(String.format(Locale.ROOT, "Rough figures: the JIT compilers were still compiling when the"
                        + " warm-up ended after %.0f s, and went on taking a share of a core through the measurements"
                        + " below. The targets are judged on a full run (`./framewise bench`), which warms up until"
                        + " they settle.%n%n", w.seconds()));
            }
        }
        for (RawLimitSearch.Result m : run.models()) {
            Config first = m.configs().get(0);
            s.append("## Model: ").append(m.arch()).append(String.format(Locale.ROOT,
                    ", raw ONNX Runtime as the job runs it (%d session(s) x %d thread(s))%n%n", first.sessions(),
                    first.threads()));
            s.append("| batch | batch latency p50 (ms) | p90 (ms) | frames/s | GFLOP/s | of peak |\n");
            s.append("|---:|---:|---:|---:|---:|---:|\n");
            for (Config c : m.configs()) {
                s.append(String.format(Locale.ROOT, "| %d | %.1f | %.1f | %.1f | %.1f | %s |%n", c.batch(), c.p50Ms(),
                        c.p90Ms(), c.framesPerSecond(), c.gflopsPerSecond(),
                        run.peak().fractionOf(c.gflopsPerSecond()).map(BenchReport::pct).orElse("?")));
            }
            s.append('\n');
        }
        List<Sizing> sizing = sizing(run);
        if (!sizing.isEmpty()) {
            PipelineBenchmark.Settings ps = run.pipelineSettings();
            s.append("## Sizing: frames/s per core\n\n");
            s.append(String.format(Locale.ROOT, "Raw ONNX Runtime as the job runs it (%d session(s) x %d thread(s), batch"
                    + " %d) per core, and the job's estimate with each frame's decoding as measured in the pipeline (%.1f"
                    + " ms, %dx%d JPEG) paid on top. Measured for %s: %.1f frames/s per core.%n%n", ps.slots(),
                    ps.threads(), ps.batching().maxBatchSize(), run.pipeline().saturation().decodeMs(), ps.width(), ps.height(),
                    ps.arch().id(), run.pipeline().saturatedFps() / (ps.slots() * ps.threads())));
            s.append("| model | raw frames/s per core | job frames/s per core (estimate) |\n|---|---:|---:|\n");
            for (Sizing z : sizing) {
                s.append(String.format(Locale.ROOT, "| %s | %.1f | %.1f |%n", z.arch(), z.rawFpsPerCore(),
                        z.jobFpsPerCore()));
            }
            s.append('\n');
        }
        if (run.limit() != null) {
            RawLimitSearch.Result l = run.limit();
            s.append("## The limit: raw ONNX Runtime, ").append(l.arch())
                    .append(", searched over sessions x intra-op threads x batch\n\n");
            s.append("| sessions | threads | batch | frames/s | batch latency p50 (ms) |\n|---:|---:|---:|---:|---:|\n");
            for (Config c : l.configs()) {
                boolean best = c.equals(l.best());
                s.append(String.format(Locale.ROOT, "| %d | %d | %d | %s%.1f%s | %.1f |%n", c.sessions(), c.threads(),
                        c.batch(), best ? "**" : "", c.framesPerSecond(), best ? "**" : "", c.p50Ms()));
            }
            if (!l.variants().isEmpty()) {
                s.append("\nONNX Runtime session options against the job's, at the best sessions x threads, in"
                        + " interleaved repetitions (throughput ratio > 1 and latency ratio < 1 favour the variant):\n\n");
                s.append("| variant | throughput ratio | batch-1 latency ratio | clearly helps |\n|---|---:|---:|---|\n");
                for (RawLimitSearch.VariantResult v : l.variants()) {
                    if (v.unavailable().isPresent()) {
                        s.append("| ").append(v.variant().description()).append(" | - | - | ")
                                .append(v.unavailable().get()).append(" |\n");
                    } else {
                        s.append(String.format(Locale.ROOT, "| %s | %.3f | %.3f | %s |%n", v.variant().description(),
                                v.medianThroughputRatio(), v.medianLatencyRatio(), v.clearlyHelps() ? "yes" : "no"));
                    }
                }
            }
            s.append('\n');
        }
        if (run.pipeline() != null) {
            PipelineBenchmark.Settings ps = run.pipelineSettings();
            PipelineBenchmark.Result p = run.pipeline();
            s.append(String.format(Locale.ROOT, "## Pipeline: the whole job, %s, %d cameras of %dx%d JPEG (%,d bytes a"
                    + " picture)%n%n", ps.arch().id(), ps.cameras(), ps.width(), ps.height(), p.pictureBytes()));
            s.append(String.format(Locale.ROOT, "Embedded Kafka broker, local Flink cluster, %d slots x %d ONNX Runtime"
                    + " thread(s), %s, %s-size JPEG decoding, freshness limit %d ms (load phases only), all in one JVM"
                    + " with the load generator.%n%n", ps.slots(), ps.threads(),
                    ps.batching().describe(),
                    ps.jpegReducedSize() ? "reduced" : "full",
                    ps.maxAge().toMillis()));
            PipelineBenchmark.WarmUp w = p.warmUp();
            s.append(String.format(Locale.ROOT, "- JVM warm-up before anything was measured: the job at full speed for"
                    + " %.0f s (%,d frames), %s; %.1f frames/s in its first %.0f s, %.1f in its last %.0f s. A job on a"
                    + " fresh JVM runs that much slower for its first minutes.%n", w.seconds(), w.classified(),
                    w.settled() ? String.format(Locale.ROOT, "until the JIT compilers took under %.0f %% of a core",
                            100 * PipelineBenchmark.JIT_SETTLED) : "and the JIT compilers had not settled by then: the"
                            + " figures below may be low", w.fps(true), w.span(true), w.fps(false), w.span(false)));
            PipelineBenchmark.Saturation sat = p.saturation();
            s.append(String.format(Locale.ROOT, "- saturated throughput (%d backlogs of %d frames in %d jobs, each"
                    + " after its job's warm-up; the median backlog): **%.1f frames/s**; in the job, per frame: decode"
                    + " and preprocessing %.1f ms, inference %.0f ms a batch of %.1f on average (the classifications'"
                    + " latency fields); JIT compiling %.1f %% of a core meanwhile%n", p.rounds().size(),
                    ps.backlogFrames(), ps.saturationRounds(), p.saturatedFps(), sat.decodeMs(), sat.inferenceMs(),
                    sat.meanBatch(), 100 * sat.jitFraction()));
            String otherWay = p.jpegReducedSize() ? "full-size" : "reduced-size";
            p.otherDecoding().ifPresentOrElse(other -> s.append(String.format(Locale.ROOT, "- the same with %s JPEG"
                    + " decoding (decode.jpeg.reduced-size: %s; one backlog of all the frames per job, no raw slices"
                    + " around it, the median job): %.1f frames/s, decode %.1f ms a frame; ratio to the job's setting"
                    + " %.3f%n", otherWay, !p.jpegReducedSize(), other.fps(), other.decodeMs(),
                    other.fps() / p.saturatedFps())), () -> s.append(String.format(Locale.ROOT, "- %s JPEG decoding:"
                    + " not measured in this run (a quick run leaves it out; the full run compares the two)%n",
                    otherWay)));
            s.append(String.format(Locale.ROOT, "- naive job (per-record inference in a map function, ImageIO, default"
                    + " session options, batch 1) on the same kind of backlog: **%.1f frames/s**%n", p.naiveFps()));
            if (run.limit() != null) {
                Config best = limit(run);
                if (!Double.isNaN(p.overLimitSideBySide()) && !p.rawSlices().isEmpty()) {
                    double[] others = p.rawSlices().stream().mapToDouble(PipelineBenchmark.RawSlice::othersShare)
                            .filter(x -> !Double.isNaN(x)).sorted().toArray();
                    s.append(String.format(Locale.ROOT, "- the raw ONNX Runtime limit side by side: its configuration"
                            + " (%d session(s) x %d thread(s), batch %d) run raw for %d s right before each backlog and"
                            + " right after it, while the job waited for frames and the JVM was otherwise quiet, %s;"
                            + " the mean of the two slices around each backlog: %s frames/s; the job's rate over it,"
                            + " backlog by backlog: %s, median **%.3f**%n", best.sessions(), best.threads(),
                            best.batch(), ps.limitSlice().toSeconds(), others.length == 0 ? "as measured (ONNX"
                                    + " Runtime's own worker threads cannot be told apart from the rest of the JVM)"
                                    : String.format(Locale.ROOT, "and counted as if the sessions had had the whole"
                                            + " machine (the rest of the JVM took %.1f to %.1f %% of it meanwhile)",
                                            100 * others[0], 100 * others[others.length - 1]),
                            joined(p.rounds(), PipelineBenchmark.Saturation::limitFps, "%.1f"),
                            joined(p.rounds(), PipelineBenchmark.Saturation::overLimit, "%.3f"),
                            p.overLimitSideBySide()));
                    double[] slices = p.rawSlices().stream().mapToDouble(PipelineBenchmark.RawSlice::fps).sorted()
                            .toArray();
                    s.append(String.format(Locale.ROOT, "- how the machine's speed drifted: the %d raw slices of that"
                            + " configuration through the run measured %.1f to %.1f frames/s (median %.1f), the same"
                            + " sessions on the same input%n", slices.length, slices[0], slices[slices.length - 1],
                            RawLimitSearch.median(slices)));
                }
                s.append(String.format(Locale.ROOT, "- the fastest raw figure of the run: %.1f frames/s (%d session(s)"
                        + " x %d thread(s), batch %d, in the limit search or the model table); the job reaches %.3f of"
                        + " it%s%n", best.framesPerSecond(), best.sessions(), best.threads(), best.batch(),
                        p.saturatedFps() / best.framesPerSecond(), Double.isNaN(p.overLimitSideBySide()) ? ""
                                : ". It was measured minutes away from the job, while the machine's speed drifts as"
                                        + " above: the target is checked side by side"));
            }
            s.append(cpuTable(p, ps.threads()));
            s.append("\n| offered | frames/s offered | classified/s | p50 (ms) | p90 (ms) | p99 (ms) | max (ms) | sent |"
                    + " classified | dead letters | dropped | GC | JIT (of a core) | lag (start, end) |\n");
            s.append("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
            for (Load l : p.loads()) {
                String lag = l.lag().isEmpty() ? "-"
                        : l.lag().get(0).frames() + ", " + l.lag().get(l.lag().size() - 1).frames();
                s.append(String.format(Locale.ROOT, "| %d %% | %.1f | %.1f | %.1f | %.1f | %.1f | %.1f | %d | %d | %d |"
                        + " %d | %s | %s | %s |%n", l.offeredPercent(), l.offeredFps(), l.achievedFps(), l.p50Ms(),
                        l.p90Ms(), l.p99Ms(), l.maxMs(), l.sent(), l.classified(), l.deadLettered(), l.dropped(),
                        pct(l.gcFraction()), pct(l.jitFraction()), lag));
            }
            s.append("\nWhere the time of the slowest 1 % of each load's results went, on average (the classifications'"
                    + " latency fields; capture to source includes waiting for the slot to finish its batch):\n\n");
            s.append("| offered | frames | end to end (ms) | capture to source | decode | batch wait | inference |"
                    + " batch size |\n|---:|---:|---:|---:|---:|---:|---:|---:|\n");
            for (Load l : p.loads()) {
                PipelineBenchmark.Breakdown b = l.slowest();
                s.append(String.format(Locale.ROOT, "| %d %% | %d | %.0f | %.0f | %.1f | %.0f | %.0f | %.1f |%n",
                        l.offeredPercent(), b.frames(), b.endToEndMs(), b.captureToSourceMs(), b.decodeMs(), b.queueMs(),
                        b.inferenceMs(), b.batchSize()));
            }
            s.append(loadCpuTable(p.loads(), ps.threads()));
            if (plotFile != null) {
                s.append("\n![end-to-end latency against offered load](").append(plotFile).append(")\n");
            }
            s.append('\n');
        }
        s.append("Reproduce: `./framewise bench` (`--quick` for a rough figure in a few minutes; `model` or `pipeline`"
                + " for one part).\n");
        return s.toString();
    }

    public static String json(Run run) throws IOException {
        ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode root = mapper.createObjectNode();
        root.put("time", run.when().toString());
        ObjectNode machine = root.putObject("machine");
        run.machine().forEach(machine::put);
        run.peak().gflopsPerSecond().ifPresent(g -> machine.put("peak_gflops_estimate", g));
        ArrayNode models = root.putArray("models");
        for (RawLimitSearch.Result m : run.models()) {
            for (Config c : m.configs()) {
                ObjectNode n = models.addObject();
                n.put("arch", m.arch());
                config(n, c);
            }
        }
        if (run.limit() != null) {
            ObjectNode limit = root.putObject("limit");
            limit.put("arch", run.limit().arch());
            config(limit.putObject("best"), run.limit().best());
            ArrayNode grid = limit.putArray("grid");
            run.limit().configs().forEach(c -> config(grid.addObject(), c));
            ArrayNode variants = limit.putArray("session_option_variants");
            for (RawLimitSearch.VariantResult v : run.limit().variants()) {
                ObjectNode n = variants.addObject();
                n.put("variant", v.variant().name());
                v.unavailable().ifPresentOrElse(u -> n.put("unavailable", u), () -> {
                    n.put("throughput_ratio", v.medianThroughputRatio());
                    n.put("batch1_latency_ratio", v.medianLatencyRatio());
                    n.put("clearly_helps", v.clearlyHelps());
                });
            }
            root.put("raw_best_fps", limit(run).framesPerSecond());
            if (run.pipeline() != null) {
                root.put("raw_limit_side_by_side_fps", run.pipeline().limitSideBySideFps());
                root.put("pipeline_over_limit_side_by_side", run.pipeline().overLimitSideBySide());
                root.put("pipeline_over_fastest_raw", run.pipeline().saturatedFps() / limit(run).framesPerSecond());
            }
        }
        if (run.pipeline() != null) {
            PipelineBenchmark.Settings ps = run.pipelineSettings();
            PipelineBenchmark.Result p = run.pipeline();
            jobConfig(run, 1).ifPresent(c -> root.put("raw_batch1_latency_ms", c.p50Ms()));
            jobConfig(run, ps.batching().maxBatchSize()).ifPresent(c -> root.put("raw_batch_latency_ms", c.p50Ms()));
            root.put("pipeline_arch", ps.arch().id());
            root.put("pipeline_fps", p.saturatedFps());
            root.put("naive_fps", p.naiveFps());
            root.put("slots", ps.slots());
            root.put("threads_per_slot", ps.threads());
            root.put("max_batch_size", ps.batching().maxBatchSize());
            root.put("max_batch_delay_ms", ps.batching().maxBatchDelay().toMillis());
            root.put("max_batch_gap_ms", ps.batching().maxInputGap().toMillis());
            root.put("max_frame_age_ms", ps.maxAge().toMillis());
            ArrayNode sizing = root.putArray("sizing");
            for (Sizing z : sizing(run)) {
                ObjectNode n = sizing.addObject();
                n.put("arch", z.arch());
                n.put("batch", z.batch());
                n.put("raw_fps_per_core", z.rawFpsPerCore());
                n.put("job_fps_per_core_estimate", z.jobFpsPerCore());
            }
            root.put("pipeline_fps_per_core", p.saturatedFps() / (ps.slots() * ps.threads()));
            root.put("jpeg_reduced_size", p.jpegReducedSize());
            // The way not measured is left out, not written as null.
            if (p.fullDecode() != null) {
                root.put("pipeline_fps_full_size_decode", p.fullDecode().fps());
                root.put("decode_ms_full_size", p.fullDecode().decodeMs());
            }
            if (p.reducedDecode() != null) {
                root.put("pipeline_fps_reduced_size_decode", p.reducedDecode().fps());
                root.put("decode_ms_reduced_size", p.reducedDecode().decodeMs());
            }
            root.put("saturation_gc_fraction", p.saturation().gcFraction());
            root.put("saturation_jit_fraction", p.saturation().jitFraction());
            ObjectNode cpu = root.putObject("saturation_cpu_shares");
            cpuShares(p).forEach((part, share) -> cpu.put(part.name().toLowerCase(Locale.ROOT), share));
            ArrayNode slices = root.putArray("raw_limit_slices");
            for (PipelineBenchmark.RawSlice r : p.rawSlices()) {
                ObjectNode n = slices.addObject();
                n.put("fps", r.fps());
                if (!Double.isNaN(r.othersShare())) {
                    n.put("rest_of_jvm_share", r.othersShare());
                }
                n.put("whole_machine_fps", r.wholeMachineFps());
            }
            root.put("warm_up_s", p.warmUp().seconds());
            root.put("warm_up_settled", p.warmUp().settled());
            ArrayNode steps = root.putArray("warm_up_steps");
            for (PipelineBenchmark.WarmUpStep st : p.warmUp().steps()) {
                ObjectNode n = steps.addObject();
                n.put("s", st.seconds());
                n.put("classified", st.classified());
                n.put("fps", st.fps());
                n.put("jit_fraction", st.jitFraction());
            }
            root.put("saturation_decode_ms", p.saturation().decodeMs());
            root.put("saturation_inference_ms_per_batch", p.saturation().inferenceMs());
            root.put("saturation_mean_batch", p.saturation().meanBatch());
            root.put("picture_bytes", p.pictureBytes());
            ArrayNode loads = root.putArray("loads");
            for (Load l : p.loads()) {
                ObjectNode n = loads.addObject();
                n.put("offered_pct", l.offeredPercent());
                n.put("offered_fps", l.offeredFps());
                n.put("classified_fps", l.achievedFps());
                n.put("p50_ms", l.p50Ms());
                n.put("p90_ms", l.p90Ms());
                n.put("p99_ms", l.p99Ms());
                n.put("max_ms", l.maxMs());
                n.put("sent", l.sent());
                n.put("classified", l.classified());
                n.put("dead_lettered", l.deadLettered());
                n.put("dropped", l.dropped());
                n.put("gc_fraction", l.gcFraction());
                n.put("jit_fraction", l.jitFraction());
                ObjectNode loadCpu = n.putObject("cpu_shares");
                l.cpu().forEach((part, share) -> loadCpu.put(part.name().toLowerCase(Locale.ROOT), share));
                ObjectNode slow = n.putObject("slowest_1pct");
                slow.put("frames", l.slowest().frames());
                slow.put("end_to_end_ms", l.slowest().endToEndMs());
                slow.put("capture_to_source_ms", l.slowest().captureToSourceMs());
                slow.put("decode_ms", l.slowest().decodeMs());
                slow.put("batch_wait_ms", l.slowest().queueMs());
                slow.put("inference_ms", l.slowest().inferenceMs());
                slow.put("batch_size", l.slowest().batchSize());
                ArrayNode lag = n.putArray("lag_samples");
                ArrayNode lagTimes = n.putArray("lag_sample_times_s");
                l.lag().forEach(x -> {
                    lag.add(x.frames());
                    lagTimes.add(x.seconds());
                });
            }
            ArrayNode checks = root.putArray("targets");
            for (Check c : checks(run)) {
                ObjectNode n = checks.addObject();
                n.put("name", c.name());
                n.put("measured", c.measured());
                n.put("target", c.target());
                n.put("met", c.met());
            }
        }
        return mapper.writeValueAsString(root);
    }

    private static void config(ObjectNode n, Config c) {
        n.put("sessions", c.sessions());
        n.put("threads", c.threads());
        n.put("batch", c.batch());
        n.put("frames_per_second", c.framesPerSecond());
        n.put("batch_latency_p50_ms", c.p50Ms());
        n.put("batch_latency_p90_ms", c.p90Ms());
        n.put("gflops_per_second", c.gflopsPerSecond());
    }

    /** Writes {@code bench-<time>.md}, {@code .json} and, with a pipeline, {@code .svg} into {@code dir}. */
    public static Path write(Run run, Path dir) throws IOException {
        Files.createDirectories(dir);
        String stamp = "bench-" + run.when().toString().replace(":", "").replaceAll("\\.\\d+", "");
        String plot = null;
        if (run.pipeline() != null) {
            plot = stamp + ".svg";
            Files.writeString(dir.resolve(plot), LatencyPlot.svg(run.pipeline().loads(),
                    "End-to-end latency, " + run.pipelineSettings().arch().id() + ", against offered load",
                    run.pipelineSettings().maxAge().toMillis()));
        }
        Path md = dir.resolve(stamp + ".md");
        Files.writeString(md, markdown(run, plot));
        Files.writeString(dir.resolve(stamp + ".json"), json(run) + "\n");
        return md;
    }

    private static String f1(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }

    /** Each part's share of the machine, the mean over the backlogs of the job as configured. */
    static Map<CpuShares.Part, Double> cpuShares(PipelineBenchmark.Result p) {
        Map<CpuShares.Part, Double> mean = new java.util.EnumMap<>(CpuShares.Part.class);
        for (PipelineBenchmark.Saturation r : p.rounds()) {
            r.cpu().forEach((part, share) -> mean.merge(part, share / p.rounds().size(), Double::sum));
        }
        return mean;
    }

    /** Where the machine's CPU went while each load was offered: a column per load, a row per part. */
    private static String loadCpuTable(List<Load> loads, int threads) {
        if (loads.isEmpty() || loads.stream().allMatch(l -> l.cpu().isEmpty())) {
            return "";
        }
        StringBuilder s = new StringBuilder("\nWhere the machine's CPU went while each load was offered (measured as"
                + " for the backlogs" + (threads > 1 ? "; ONNX Runtime's own worker threads are under other" : "")
                + "):\n\n| part |");
        loads.forEach(l -> s.append(' ').append(l.offeredPercent()).append(" % |"));
        s.append("\n|---|").append("---:|".repeat(loads.size())).append('\n');
        for (CpuShares.Part part : CpuShares.Part.values()) {
            if (loads.stream().allMatch(l -> l.cpu().getOrDefault(part, 0.0) == 0)) {
                continue;
            }
            s.append("| ").append(part.label).append(" |");
            loads.forEach(l -> s.append(' ').append(pct(l.cpu().getOrDefault(part, 0.0))).append(" |"));
            s.append('\n');
        }
        return s.toString();
    }

    private static String cpuTable(PipelineBenchmark.Result p, int threads) {
        Map<CpuShares.Part, Double> shares = cpuShares(p);
        if (shares.isEmpty()) {
            return "";
        }
        StringBuilder s = new StringBuilder("\nWhere the machine's CPU went during those backlogs (threads' CPU times"
                + " from the JVM, the mean over the backlogs; inference runs on the task threads"
                + (threads > 1 ? ", and on ONNX Runtime's own worker threads, under other" : "")
                + "; for the JIT compilers and GC, the time they ran, which under load can exceed their CPU time):\n\n"
                + "| part | share of the machine |\n|---|---:|\n");
        shares.forEach((part, share) -> s.append("| ").append(part.label).append(" | ").append(pct(share))
                .append(" |\n"));
        return s.append('\n').toString();
    }

    /** Three decimals: a ratio that sits near its target shows which side it is on. */
    private static String f3(double v) {
        return String.format(Locale.ROOT, "%.3f", v);
    }

    private static String f2(double v) {
        return String.format(Locale.ROOT, "%.2f", v);
    }

    static String pct(double fraction) {
        return String.format(Locale.ROOT, "%.1f %%", 100 * fraction);
    }
}
