package dev.framewise.cli;

import dev.framewise.job.ConfigSource;
import dev.framewise.job.FramewiseJob;
import dev.framewise.job.FramewiseOptions;
import dev.framewise.job.JobArguments;
import dev.framewise.job.JobSettings;
import dev.framewise.job.LocalFlink;
import dev.framewise.kafka.KafkaConnections;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.util.ExceptionUtils;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code framewise run}: the job against a Kafka broker, on a Flink cluster inside this process. */
@Command(name = "run", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Run the Framewise job against a Kafka broker, on a local Flink cluster in this process, until"
                + " Ctrl-C. The job jar runs the same job on a Flink cluster (see the README).",
            "Without --model it builds and caches EfficientFormer-L1 with generated weights."})
final class RunCommand implements Callable<Integer> {
    static final String DEFAULT_BOOTSTRAP = "localhost:9092";

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    JobArguments job;

    @Option(names = "--slots", paramLabel = "N",
            description = "Task slots of the local cluster (default: pipeline.parallelism, else the number of cores).")
    Integer slots;

    @Option(names = "--create-topics", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Create missing topics (default: yes).")
    boolean createTopics;

    @Option(names = "--partitions", paramLabel = "N", description = "Partitions of topics it creates (default: the slots).")
    Integer partitions;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        ConfigSource source = job.toSource();
        if (!source.entries().containsKey(FramewiseOptions.BOOTSTRAP_SERVERS.key())) {
            source.set(FramewiseOptions.BOOTSTRAP_SERVERS.key(), DEFAULT_BOOTSTRAP, "framewise run's default");
            out.println("no --bootstrap given: using " + DEFAULT_BOOTSTRAP + " (framewise kafka starts a broker there)");
        }
        JobSettings settings = JobSettings.from(source);
        if (settings.modelPath() == null) {
            settings = settings.withModelPath(ModelCache.defaultModel(out).toString());
        }
        int n = slots != null ? slots : settings.parallelism() > 0 ? settings.parallelism()
                : Runtime.getRuntime().availableProcessors();
        if (n < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--slots must be at least 1");
        }
        FramewiseJob.checkModel(settings);
        List<String> created = KafkaConnections.checkTopics(settings, createTopics, partitions != null ? partitions : n);
        if (!created.isEmpty()) {
            out.println("created topic(s) " + String.join(", ", created));
        }
        LocalFlink flink = LocalFlink.create(n, settings.flinkProperties());
        FramewiseJob.build(flink.env(), settings, KafkaConnections.source(settings),
                KafkaConnections.classificationsSink(settings), KafkaConnections.deadLettersSink(settings));
        JobClient client = flink.env().executeAsync(settings.jobName());
        flink.awaitTasksRunning(client.getJobID(), java.time.Duration.ofMinutes(2));
        out.printf("job %s running on a local Flink cluster with %d slot(s), web UI %s%n", client.getJobID(), n, flink.webUi());
        out.println(settings.describeInference(n, Runtime.getRuntime().availableProcessors())
                + " (defaults: what framewise bench measured best on CPUs; change with --slots, --threads, --batch-size)");
        out.printf("reading %s from %s; results to %s, dead letters to %s (%s). Ctrl-C stops.%n", settings.framesTopic(),
                settings.bootstrapServers(), settings.classificationsTopic(), settings.deadLettersTopic(),
                settings.delivery().name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'));
        out.flush();

        try (StopSignals signals = StopSignals.install(() -> { })) {
            CompletableFuture<?> result = client.getJobExecutionResult();
            CompletableFuture.anyOf(result, signals.received()).join();
            if (signals.received().isDone() && !result.isDone()) {
                out.println(signals.received().getNow("") + ": stopping the job ...");
                out.flush();
                client.cancel().get(30, TimeUnit.SECONDS);
                out.println("job stopped");
                return 0;
            }
            result.get();
            return 0;
        } catch (CompletionException | ExecutionException e) {
            if (isCancellation(e)) {
                return 0;
            }
            Throwable root = ExceptionUtils.stripExecutionException(ExceptionUtils.stripCompletionException(e));
            throw new Framewise.UserException("the job failed: " + rootMessage(root), root);
        }
    }

    private static boolean isCancellation(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t.getClass().getSimpleName().contains("Cancel")
                    || String.valueOf(t.getMessage()).contains("CANCELED")) {
                return true;
            }
        }
        return false;
    }

    static String rootMessage(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getClass().getSimpleName() + ": " + root.getMessage();
    }
}
