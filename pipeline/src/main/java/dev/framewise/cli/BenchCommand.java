package dev.framewise.cli;

import dev.framewise.bench.ModelBenchReport;
import dev.framewise.bench.ModelBenchmark;
import dev.framewise.cli.Framewise.UserException;
import dev.framewise.model.arch.Architecture;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code framewise bench}: figures measured side by side in one run on this machine. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Measure speed side by side in one run; reports go to bench-results/.",
        subcommands = {BenchCommand.Model.class})
final class BenchCommand {

    @Command(name = "model", mixinStandardHelpOptions = true,
            description = "Raw ONNX Runtime latency and throughput of the built models, per batch size.")
    static final class Model implements Callable<Integer> {
        @Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--arch", split = ",", converter = ModelCommand.ArchConverter.class, paramLabel = "ARCH",
                defaultValue = "efficientformer-l1,mobilenetv2",
                description = "Architectures, comma-separated (default: ${DEFAULT-VALUE}).")
        List<Architecture> archs;

        @Option(names = "--batches", split = ",", paramLabel = "N", defaultValue = "1,8,32",
                description = "Batch sizes (default: ${DEFAULT-VALUE}).")
        int[] batches;

        @Option(names = "--threads", paramLabel = "N",
                description = "Intra-op threads per session (default: all cores).")
        Integer threads;

        @Option(names = "--quick", description = "Fewer and shorter rounds: a rough figure in about a minute.")
        boolean quick;

        @Option(names = "--out", paramLabel = "DIR", defaultValue = "bench-results",
                description = "Where the Markdown and JSON reports go (default: ${DEFAULT-VALUE}).")
        Path out;

        @Override
        public Integer call() throws Exception {
            PrintWriter o = spec.commandLine().getOut();
            if (Arrays.stream(batches).anyMatch(b -> b < 1 || b > 256)) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--batches must be between 1 and 256");
            }
            int cores = Runtime.getRuntime().availableProcessors();
            ModelBenchmark.Settings settings = new ModelBenchmark.Settings(archs, batches,
                    threads == null ? cores : threads, quick ? 0.5 : 2.0, quick ? 2 : 5);
            Path work = Files.createTempDirectory("framewise-bench");
            ModelBenchmark.Result result;
            try {
                result = new ModelBenchmark(settings, msg -> {
                    o.println("  " + msg);
                    o.flush();
                }).run(work);
            } finally {
                deleteTree(work);
            }
            Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
            Path md;
            try {
                md = ModelBenchReport.write(result, now, out);
            } catch (IOException e) {
                throw new UserException("cannot write the report into " + out + ": " + IoErrors.describe(e), e);
            }
            o.println();
            o.print(ModelBenchReport.markdown(result, now));
            o.println();
            o.println("report: " + md + " (and .json)");
            o.flush();
            return 0;
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
