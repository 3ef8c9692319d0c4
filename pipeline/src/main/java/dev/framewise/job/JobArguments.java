package dev.framewise.job;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * The job's command-line options, shared by {@code framewise run} and the job jar's main: a YAML
 * file, then flags for the common settings, then {@code -D key=value} for any setting. Later ones
 * win.
 */
public final class JobArguments {

    @Option(names = "--config", paramLabel = "FILE", description = "YAML file of settings (see the README's Configuration).")
    Path config;

    @Option(names = "--bootstrap", paramLabel = "HOST:PORT", description = "Kafka brokers (kafka.bootstrap-servers).")
    String bootstrap;

    @Option(names = "--model", paramLabel = "FILE.onnx", description = "The classifier (model.path).")
    String model;

    @Option(names = "--frames-topic", paramLabel = "TOPIC", description = "kafka.topic.frames (default frames).")
    String framesTopic;

    @Option(names = "--classifications-topic", paramLabel = "TOPIC",
            description = "kafka.topic.classifications (default classifications).")
    String classificationsTopic;

    @Option(names = "--dead-letters-topic", paramLabel = "TOPIC", description = "kafka.topic.dead-letters (default frames-dlq).")
    String deadLettersTopic;

    @Option(names = "--group-id", paramLabel = "ID", description = "kafka.group-id (default framewise).")
    String groupId;

    @Option(names = "--starting-offsets", paramLabel = "WHERE", description = "kafka.starting-offsets: committed, earliest or latest.")
    String startingOffsets;

    @Option(names = "--batch-size", paramLabel = "N", description = "batch.max-size (default 4: best on CPUs; raise it on GPUs).")
    String batchSize;

    @Option(names = "--batch-delay", paramLabel = "DURATION", description = "batch.max-delay, e.g. 20ms (default 20 ms).")
    String batchDelay;

    @Option(names = "--batch-gap", paramLabel = "DURATION",
            description = "batch.max-gap: a batch runs once the input pauses this long, e.g. 1ms (default 1 ms).")
    String batchGap;

    @Option(names = "--threads", paramLabel = "N", description = "inference.threads per slot (default: the slot's share of the cores).")
    String threads;

    @Option(names = "--top-k", paramLabel = "K", description = "inference.top-k (default 5).")
    String topK;

    @Option(names = "--max-pixels", paramLabel = "N", description = "decode.max-pixels (default 8K UHD).")
    String maxPixels;

    @Option(names = "--max-age", paramLabel = "DURATION", description = "freshness.max-age: drop frames older than this (default: off).")
    String maxAge;

    @Option(names = "--delivery", paramLabel = "GUARANTEE", description = "delivery.guarantee: at-least-once or exactly-once.")
    String delivery;

    @Option(names = "--checkpoint-interval", paramLabel = "DURATION", description = "checkpoint.interval (default 10 s).")
    String checkpointInterval;

    @Option(names = "--ordering", paramLabel = "MODE", description = "pipeline.ordering: chained or rebalance.")
    String ordering;

    @Option(names = "--parallelism", paramLabel = "N", description = "pipeline.parallelism.")
    String parallelism;

    @Option(names = {"-D", "--set"}, paramLabel = "KEY=VALUE", description = "Any setting, e.g. -D kafka.properties.security.protocol=SSL.")
    List<String> assignments = new ArrayList<>();

    /** The settings as given: the YAML file, then the flags. */
    public ConfigSource toSource() {
        ConfigSource source = new ConfigSource();
        if (config != null) {
            source.addYaml(config);
        }
        flag(source, FramewiseOptions.BOOTSTRAP_SERVERS.key(), bootstrap, "--bootstrap");
        flag(source, FramewiseOptions.MODEL_PATH.key(), model, "--model");
        flag(source, FramewiseOptions.FRAMES_TOPIC.key(), framesTopic, "--frames-topic");
        flag(source, FramewiseOptions.CLASSIFICATIONS_TOPIC.key(), classificationsTopic, "--classifications-topic");
        flag(source, FramewiseOptions.DEAD_LETTERS_TOPIC.key(), deadLettersTopic, "--dead-letters-topic");
        flag(source, FramewiseOptions.GROUP_ID.key(), groupId, "--group-id");
        flag(source, FramewiseOptions.STARTING_OFFSETS.key(), startingOffsets, "--starting-offsets");
        flag(source, FramewiseOptions.BATCH_MAX_SIZE.key(), batchSize, "--batch-size");
        flag(source, FramewiseOptions.BATCH_MAX_DELAY.key(), batchDelay, "--batch-delay");
        flag(source, FramewiseOptions.BATCH_MAX_GAP.key(), batchGap, "--batch-gap");
        flag(source, FramewiseOptions.INFERENCE_THREADS.key(), threads, "--threads");
        flag(source, FramewiseOptions.TOP_K.key(), topK, "--top-k");
        flag(source, FramewiseOptions.MAX_PIXELS.key(), maxPixels, "--max-pixels");
        flag(source, FramewiseOptions.MAX_FRAME_AGE.key(), maxAge, "--max-age");
        flag(source, FramewiseOptions.DELIVERY.key(), delivery, "--delivery");
        flag(source, FramewiseOptions.CHECKPOINT_INTERVAL.key(), checkpointInterval, "--checkpoint-interval");
        flag(source, FramewiseOptions.ORDERING.key(), ordering, "--ordering");
        flag(source, FramewiseOptions.PARALLELISM.key(), parallelism, "--parallelism");
        for (String a : assignments) {
            source.setAssignment(a, "-D " + a);
        }
        return source;
    }

    private static void flag(ConfigSource source, String key, String value, String flag) {
        if (value != null) {
            source.set(key, value, flag);
        }
    }

    /** Parses the job jar's arguments; bad usage or settings fail with one clear message. */
    public static JobSettings parse(String... args) {
        JobArguments arguments = new JobArguments();
        CommandLine cl = new CommandLine(arguments);
        try {
            cl.parseArgs(args);
        } catch (CommandLine.ParameterException e) {
            throw new ConfigException(e.getMessage() + " (options: --config FILE, --bootstrap HOST:PORT, --model FILE,"
                    + " -D key=value, ...; see the README)");
        }
        return JobSettings.from(arguments.toSource());
    }
}
