package dev.framewise.cli;

import dev.framewise.bench.BenchReport;
import dev.framewise.bench.MachinePeak;
import dev.framewise.bench.PipelineBenchmark;
import dev.framewise.bench.RawLimitSearch;
import dev.framewise.cli.Framewise.UserException;
import dev.framewise.job.FramewiseOptions;
import dev.framewise.model.arch.Architecture;
import dev.framewise.model.arch.EfficientFormer;
import dev.framewise.model.arch.MobileNetV2;
import dev.framewise.operators.inference.BatchSettings;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code framewise bench [model|pipeline|all]}: figures measured side by side in one run on this
 * machine, written to {@code bench-results/} as Markdown, JSON and a latency plot.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Measure Framewise on this machine, side by side in one run: raw ONNX Runtime per architecture"
                + " and batch size, the raw limit (best sessions x threads x batch), the whole job's saturated"
                + " throughput and latency at 25-150 %% load, and a naive hand-written job. Without a subcommand: all.",
            "Reports go to bench-results/ (Markdown, JSON, SVG plot)."},
        subcommands = {BenchCommand.Model.class, BenchCommand.Pipeline.class, BenchCommand.All.class})
final class BenchCommand extends BenchPart {
    BenchCommand() {
        super(true, true);
    }

    /** Options every part shares. */
    static final class Options {
        @Option(names = "--arch", split = ",", converter = ModelCommand.ArchConverter.class, paramLabel = "ARCH",
                description = "Architectures of the model part (default: all four; with --quick, efficientformer-l1);"
                        + " the pipeline part uses the first.")
        List<Architecture> archs;

        @Option(names = "--quick", description = "Shorter phases, a smaller grid and no comparison of the JPEG decoding"
                + " ways: rough figures in under 5 minutes.")
        boolean quick;

        @Option(names = "--batch-size", paramLabel = "N",
                description = "The job's batch.max-size in the pipeline part (default: the job's default).")
        Integer batchSize;

        @Option(names = "--batch-delay", paramLabel = "DURATION", converter = DurationConverter.class,
                description = "The job's batch.max-delay in the pipeline part, e.g. 5ms (default: the job's default).")
        Duration batchDelay;

        @Option(names = "--batch-gap", paramLabel = "DURATION", converter = DurationConverter.class,
                description = "The job's batch.max-gap in the pipeline part, e.g. the --batch-delay to always wait for"
                        + " full batches (default: the job's default, or the delay if shorter).")
        Duration batchGap;

        @Option(names = "--out", paramLabel = "DIR", defaultValue = "bench-results",
                description = "Where the reports go (default: ${DEFAULT-VALUE}).")
        Path out;
    }

    @Command(name = "model", mixinStandardHelpOptions = true,
            description = "Raw ONNX Runtime per architecture and batch size (1, 4, 8, 16, 32) with the job's threads.")
    static final class Model extends BenchPart {
        Model() {
            super(true, false);
        }
    }

    @Command(name = "pipeline", mixinStandardHelpOptions = true,
            description = "The whole job: saturated throughput, latency at 25-150 %% load, the raw limit and the naive job.")
    static final class Pipeline extends BenchPart {
        Pipeline() {
            super(false, true);
        }
    }

    @Command(name = "all", mixinStandardHelpOptions = true, description = "Both parts, in one report.")
    static final class All extends BenchPart {
        All() {
            super(true, true);
        }
    }

    static int run(CommandLine.Model.CommandSpec spec, Options o, boolean modelPart, boolean pipelinePart)
            throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        int cores = Runtime.getRuntime().availableProcessors();
        // What framewise run and the job jar do out of the box: a slot per core, the slot's share of the cores as
        // ONNX Runtime threads, and the batch and decoding defaults.
        int slots = cores;
        int threads = Math.max(1, cores / slots);
        int batch = o.batchSize != null ? o.batchSize : FramewiseOptions.BATCH_MAX_SIZE.defaultValue();
        Duration delay = o.batchDelay != null ? o.batchDelay : FramewiseOptions.BATCH_MAX_DELAY.defaultValue();
        Duration gap = o.batchGap != null ? o.batchGap : FramewiseOptions.defaultBatchGap(delay);
        BatchSettings batching;
        try {
            batching = new BatchSettings(batch, delay, gap);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--batch-size, --batch-delay, --batch-gap: "
                    + e.getMessage());
        }
        boolean reducedJpeg = FramewiseOptions.JPEG_REDUCED_SIZE.defaultValue();
        List<Architecture> archs = o.archs != null && !o.archs.isEmpty() ? o.archs
                : o.quick ? List.of(EfficientFormer.L1)
                : List.of(EfficientFormer.L1, MobileNetV2.X100, EfficientFormer.L3, EfficientFormer.L7);
        Architecture pipelineArch = archs.get(0);
        Path work = Files.createTempDirectory("framewise-bench");
        java.util.function.Consumer<String> progress = msg -> {
            out.println("  " + msg);
            out.flush();
        };
        try {
            List<RawLimitSearch.Result> models = new ArrayList<>();
            // The job's batch size is always among them: the latency targets are set in its batch time.
            List<Integer> batches = java.util.stream.Stream.concat((o.quick ? List.of(1, 4, 8)
                    : List.of(1, 4, 8, 16, 32)).stream(), java.util.stream.Stream.of(batch)).distinct().sorted().toList();
            for (Architecture arch : modelPart ? archs : List.of(pipelineArch)) {
                progress.accept("model " + arch.id() + " as the job runs it: " + slots + " session(s) x " + threads
                        + " thread(s)");
                RawLimitSearch.Settings s = new RawLimitSearch.Settings(arch, List.of(slots), List.of(threads),
                        modelPart ? batches : List.of(1, batch), cores, o.quick ? 0.5 : 2.0, o.quick ? 2 : 3,
                        Set.of(), 1);
                models.add(new RawLimitSearch(s, progress).run(work));
            }
            RawLimitSearch.Result limit = null;
            PipelineBenchmark.Settings ps = null;
            PipelineBenchmark.Result pipeline = null;
            if (pipelinePart) {
                progress.accept("the raw limit of " + pipelineArch.id() + ": sessions x threads x batch");
                RawLimitSearch.Settings d = RawLimitSearch.Settings.defaults(pipelineArch, cores, o.quick);
                limit = new RawLimitSearch(o.quick ? new RawLimitSearch.Settings(d.arch(), d.sessions(), d.threads(),
                        d.batches(), d.cores(), d.sliceSeconds(), d.rounds(), Set.of(), 1) : d, progress).run(work);
                ps = new PipelineBenchmark.Settings(pipelineArch, slots, threads, batching, Duration.ofSeconds(1),
                        reducedJpeg, !o.quick, 4, 640, 480, o.quick ? 450 : 900, o.quick ? 1 : 3, 3,
                        Duration.ofSeconds(o.quick ? 45 : 240), Duration.ofSeconds(o.quick ? 2 : 4),
                        Duration.ofSeconds(o.quick ? 8 : 20), List.of(25, 50, 75, 100, 150));
                pipeline = new PipelineBenchmark(ps, progress).run(work, BenchReport.fastest(limit, models));
            }
            RawLimitSearch.Result any = limit != null ? limit : models.get(0);
            BenchReport.Run run = new BenchReport.Run(Instant.now().truncatedTo(ChronoUnit.SECONDS), any.machine(),
                    MachinePeak.detect(), models, limit, ps, pipeline);
            Path md;
            try {
                md = BenchReport.write(run, o.out);
            } catch (IOException e) {
                throw new UserException("cannot write the report into " + o.out + ": " + IoErrors.describe(e), e);
            }
            out.println();
            out.print(BenchReport.markdown(run, null));
            out.println();
            out.println("report: " + md + " (and .json" + (pipeline != null ? ", .svg" : "") + ")");
            out.flush();
            return 0;
        } finally {
            deleteTree(work);
        }
    }

    /** Durations as the job's settings write them: 5ms, 20 ms, 1s. */
    static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            try {
                return org.apache.flink.util.TimeUtils.parseDuration(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException("'" + value + "' is not a duration, e.g. 5ms or 1s");
            }
        }
    }

    static void deleteTree(Path dir) throws IOException {
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
