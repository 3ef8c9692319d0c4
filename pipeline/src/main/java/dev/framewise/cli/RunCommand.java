package dev.framewise.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.framewise.cluster.BuildOutputs;
import dev.framewise.cluster.FlinkRest;
import dev.framewise.cluster.JobSubmission;
import dev.framewise.job.ConfigSource;
import dev.framewise.job.FramewiseJob;
import dev.framewise.job.FramewiseOptions;
import dev.framewise.job.JobArguments;
import dev.framewise.job.JobSettings;
import dev.framewise.job.LocalFlink;
import dev.framewise.kafka.KafkaConnections;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
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

/**
 * {@code framewise run}: the job against a Kafka broker, on a Flink cluster inside this process, or
 * submitted to a Flink cluster ({@code --target}).
 */
@Command(name = "run", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Run the Framewise job against a Kafka broker, on a local Flink cluster in this process, until"
                + " Ctrl-C; or, with --target, submit the job jar to a Flink cluster (framewise cluster up starts one)"
                + " and return while it runs there.",
            "Without --model it builds and caches EfficientFormer-L1 with generated weights."})
final class RunCommand implements Callable<Integer> {
    static final String DEFAULT_BOOTSTRAP = "localhost:9092";
    private static final Set<String> LOCAL_HOSTS = Set.of("127.0.0.1", "localhost", "::1", "[::1]");

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    JobArguments job;

    @Option(names = "--target", paramLabel = "HOST:PORT",
            description = "Submit the job to the Flink cluster whose REST API (web UI) is at HOST:PORT, e.g. 127.0.0.1:8081,"
                    + " print its id and return (default: run it in this process).")
    String target;

    @Option(names = "--slots", paramLabel = "N",
            description = "Task slots of the local cluster (default: pipeline.parallelism, else the number of cores).")
    Integer slots;

    @Option(names = "--create-topics", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Create missing topics (default: yes).")
    boolean createTopics;

    @Option(names = "--partitions", paramLabel = "N",
            description = "Partitions of topics it creates (default: the slots; with --target, the job's parallelism).")
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
        if (target != null) {
            return submit(out, source, settings);
        }
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

    /**
     * Submits the job jar to the cluster at {@link #target} with the settings resolved here, each as
     * {@code -D key=value} for the job's main, which runs on the JobManager.
     */
    private int submit(PrintWriter out, ConfigSource source, JobSettings settings) throws InterruptedException {
        if (slots != null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--slots sizes the cluster inside this process;"
                    + " with --target the cluster's TaskManagers bring their own slots (set --parallelism instead)");
        }
        if (!target.matches("[^:\\s/]+:\\d{1,5}")) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--target must be HOST:PORT, the address of the"
                    + " JobManager's REST API (its web UI), e.g. 127.0.0.1:8081; not '" + target + "'");
        }
        FlinkRest rest = new FlinkRest(target, Duration.ofSeconds(30));
        JsonNode overview = JobSubmission.overview(rest);
        Path jar = BuildOutputs.locate().jobJar();
        // The job's main runs on the JobManager, in another working directory.
        String model = (settings.modelPath() != null ? Path.of(settings.modelPath()) : ModelCache.defaultModel(out))
                .toAbsolutePath().normalize().toString();
        settings = settings.withModelPath(model);
        FramewiseJob.checkModel(settings);
        int slotsTotal = overview.path("slots-total").asInt();
        Integer parallelism = settings.parallelism() > 0 ? Integer.valueOf(settings.parallelism())
                : slotsTotal > 0 ? Integer.valueOf(slotsTotal) : null;
        List<String> created = KafkaConnections.checkTopics(settings, createTopics,
                partitions != null ? partitions : parallelism != null ? parallelism : 1);
        if (!created.isEmpty()) {
            out.println("created topic(s) " + String.join(", ", created));
        }
        String host = target.substring(0, target.lastIndexOf(':'));
        if (!LOCAL_HOSTS.contains(host)) {
            out.println("note: the job's main runs on the JobManager at " + host + ": " + model + " must exist there"
                    + " (and with model.ship false, on every TaskManager), and Kafka at " + settings.bootstrapServers()
                    + " must be reachable from the cluster");
        }
        source.set(FramewiseOptions.MODEL_PATH.key(), model, "--model");
        List<String> programArgs = new ArrayList<>();
        source.entries().forEach((key, entry) -> {
            programArgs.add("-D");
            programArgs.add(key + "=" + entry.value());
        });
        String jobId = JobSubmission.submit(rest, jar, FramewiseJob.class.getName(), programArgs, parallelism,
                settings.flinkProperties());
        out.printf("job %s submitted to the Flink cluster at %s (parallelism %s); web UI %s/#/job/running/%s/overview%n",
                jobId, target, parallelism != null ? parallelism : "the cluster's default", rest.webUi(), jobId);
        out.printf("it reads %s from %s; results to %s, dead letters to %s (%s). It runs until cancelled (web UI, or"
                + " framewise cluster down for the local cluster).%n", settings.framesTopic(), settings.bootstrapServers(),
                settings.classificationsTopic(), settings.deadLettersTopic(),
                settings.delivery().name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'));
        out.flush();
        return 0;
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
