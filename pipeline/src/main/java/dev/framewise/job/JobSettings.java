package dev.framewise.job;

import dev.framewise.job.ConfigSource.Entry;
import dev.framewise.operators.inference.BatchSettings;
import java.io.Serializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.util.TimeUtils;

/**
 * The job's settings, checked once at start: an unknown key, a value of the wrong type or out of
 * range, or two settings that contradict each other stop the job with a message naming the
 * setting, where it came from, and what to write instead.
 */
public record JobSettings(
        String bootstrapServers,
        String framesTopic,
        String classificationsTopic,
        String deadLettersTopic,
        String groupId,
        StartingOffsets startingOffsets,
        String modelPath,
        boolean shipModel,
        BatchSettings batch,
        int inferenceThreads,
        int topK,
        long maxPixels,
        boolean jpegReducedSize,
        int maxH264Decoders,
        Duration maxFrameAge,
        double maxFpsPerCamera,
        Delivery delivery,
        Duration transactionTimeout,
        Duration checkpointInterval,
        Ordering ordering,
        int parallelism,
        String jobName,
        Map<String, String> kafkaProperties,
        Map<String, String> flinkProperties) implements Serializable {

    public enum StartingOffsets { COMMITTED, EARLIEST, LATEST }

    public enum Delivery { AT_LEAST_ONCE, EXACTLY_ONCE }

    public enum Ordering { CHAINED, REBALANCE }

    /** Client settings Framewise sets itself; the dedicated option is the place to change them. */
    private static final Map<String, String> MANAGED_KAFKA = Map.of(
            "bootstrap.servers", "kafka.bootstrap-servers",
            "group.id", "kafka.group-id",
            "transaction.timeout.ms", "delivery.transaction-timeout",
            "transactional.id", "pipeline.name",
            "key.serializer", "(Framewise serializes records itself)",
            "value.serializer", "(Framewise serializes records itself)",
            "key.deserializer", "(Framewise deserializes records itself)",
            "value.deserializer", "(Framewise deserializes records itself)");

    public JobSettings {
        kafkaProperties = Collections.unmodifiableMap(new LinkedHashMap<>(kafkaProperties));
        flinkProperties = Collections.unmodifiableMap(new LinkedHashMap<>(flinkProperties));
    }

    /** The same settings with another model file. */
    public JobSettings withModelPath(String path) {
        return new JobSettings(bootstrapServers, framesTopic, classificationsTopic, deadLettersTopic, groupId,
                startingOffsets, path, shipModel, batch, inferenceThreads, topK, maxPixels, jpegReducedSize, maxH264Decoders,
                maxFrameAge,
                maxFpsPerCamera, delivery, transactionTimeout,
                checkpointInterval, ordering, parallelism, jobName, kafkaProperties, flinkProperties);
    }

    /**
     * The inference settings in effect, in one line for the user to see at start: slots, ONNX Runtime
     * threads per slot (inference.threads 0 resolved as each subtask resolves it), batching, decoding.
     *
     * @param slots task slots per TaskManager, or 0 when the submitting side does not know them
     * @param cores processors of a TaskManager, or 0 when unknown
     */
    public String describeInference(int slots, int cores) {
        String threads = inferenceThreads > 0 ? Integer.toString(inferenceThreads)
                : slots > 0 && cores > 0 ? Math.max(1, cores / slots) + " (the slot's share of " + cores + " cores)"
                : "the slot's share of the TaskManager's cores";
        String slotPart = slots > 0 ? slots + " slot(s)" : parallelism > 0 ? "parallelism " + parallelism
                : "the cluster's default parallelism";
        return String.format(java.util.Locale.ROOT, "inference: %s x %s ONNX Runtime thread(s), %s, %s-size JPEG"
                + " decoding", slotPart, threads, batch.describe(), jpegReducedSize ? "reduced" : "full");
    }

    public static JobSettings from(ConfigSource source) {
        return new Parser(source.entries()).parse();
    }

    private static final class Parser {
        private final Map<String, Entry> entries;

        Parser(Map<String, Entry> entries) {
            this.entries = entries;
        }

        JobSettings parse() {
            Set<String> known = new HashSet<>();
            for (ConfigOption<?> o : FramewiseOptions.ALL) {
                known.add(o.key());
            }
            Map<String, String> kafka = new LinkedHashMap<>();
            Map<String, String> flink = new LinkedHashMap<>();
            for (Map.Entry<String, Entry> e : entries.entrySet()) {
                String key = e.getKey();
                if (key.startsWith(FramewiseOptions.KAFKA_PROPERTIES_PREFIX)) {
                    String client = key.substring(FramewiseOptions.KAFKA_PROPERTIES_PREFIX.length());
                    if (MANAGED_KAFKA.containsKey(client)) {
                        throw new ConfigException(key + " (" + e.getValue().origin() + ") cannot be passed through: set "
                                + MANAGED_KAFKA.get(client) + " instead");
                    }
                    kafka.put(client, e.getValue().value());
                } else if (key.startsWith(FramewiseOptions.FLINK_PREFIX)) {
                    flink.put(key.substring(FramewiseOptions.FLINK_PREFIX.length()), e.getValue().value());
                } else if (!known.contains(key)) {
                    throw new ConfigException("unknown setting '" + key + "' (" + e.getValue().origin() + ")"
                            + suggestion(key, known) + "; Kafka client settings go under "
                            + FramewiseOptions.KAFKA_PROPERTIES_PREFIX + "*, Flink settings under "
                            + FramewiseOptions.FLINK_PREFIX + "*");
                }
            }

            String bootstrap = string(FramewiseOptions.BOOTSTRAP_SERVERS);
            if (bootstrap == null || bootstrap.isBlank()) {
                throw new ConfigException(FramewiseOptions.BOOTSTRAP_SERVERS.key()
                        + " is required: give --bootstrap HOST:PORT or set it in the configuration file");
            }
            for (String server : bootstrap.split(",")) {
                if (!server.strip().matches("[^:\\s]+:\\d{1,5}")) {
                    throw invalid(FramewiseOptions.BOOTSTRAP_SERVERS, "'" + server.strip() + "' is not host:port");
                }
            }
            String frames = topic(FramewiseOptions.FRAMES_TOPIC);
            String results = topic(FramewiseOptions.CLASSIFICATIONS_TOPIC);
            String dead = topic(FramewiseOptions.DEAD_LETTERS_TOPIC);
            if (frames.equals(results) || frames.equals(dead) || results.equals(dead)) {
                throw new ConfigException("kafka.topic.frames, kafka.topic.classifications and kafka.topic.dead-letters"
                        + " must be three different topics (now " + frames + ", " + results + ", " + dead + ")");
            }
            int batchSize = (int) range(FramewiseOptions.BATCH_MAX_SIZE, 1, 1024);
            Duration delay = duration(FramewiseOptions.BATCH_MAX_DELAY, Duration.ZERO, Duration.ofMinutes(1));
            Duration gap = entry(FramewiseOptions.BATCH_MAX_GAP) == null ? FramewiseOptions.defaultBatchGap(delay)
                    : duration(FramewiseOptions.BATCH_MAX_GAP, Duration.ZERO, Duration.ofMinutes(1));
            if (gap.compareTo(delay) > 0) {
                throw invalid(FramewiseOptions.BATCH_MAX_GAP, TimeUtils.formatWithHighestUnit(gap) + " is longer than "
                        + FramewiseOptions.BATCH_MAX_DELAY.key() + " (" + TimeUtils.formatWithHighestUnit(delay) + ", "
                        + origin(FramewiseOptions.BATCH_MAX_DELAY) + "), so it would never apply: set it at most that,"
                        + " or equal to it to always wait for full batches");
            }
            Duration checkpoints = duration(FramewiseOptions.CHECKPOINT_INTERVAL, Duration.ofMillis(100), Duration.ofHours(24));
            Duration txTimeout = duration(FramewiseOptions.TRANSACTION_TIMEOUT, Duration.ofSeconds(1), Duration.ofHours(24));
            Delivery delivery = choice(FramewiseOptions.DELIVERY, Delivery.class);
            if (delivery == Delivery.EXACTLY_ONCE && txTimeout.compareTo(checkpoints) <= 0) {
                throw new ConfigException("delivery.transaction-timeout (" + TimeUtils.formatWithHighestUnit(txTimeout)
                        + ") must be longer than checkpoint.interval (" + TimeUtils.formatWithHighestUnit(checkpoints)
                        + "): a transaction stays open from one checkpoint to the next");
            }
            String model = string(FramewiseOptions.MODEL_PATH);
            return new JobSettings(bootstrap.strip(), frames, results, dead, nonBlank(FramewiseOptions.GROUP_ID),
                    choice(FramewiseOptions.STARTING_OFFSETS, StartingOffsets.class),
                    model == null || model.isBlank() ? null : model.strip(), bool(FramewiseOptions.MODEL_SHIP),
                    new BatchSettings(batchSize, delay, gap), (int) range(FramewiseOptions.INFERENCE_THREADS, 0, 1024),
                    (int) range(FramewiseOptions.TOP_K, 1, 1000), range(FramewiseOptions.MAX_PIXELS, 1, Long.MAX_VALUE),
                    bool(FramewiseOptions.JPEG_REDUCED_SIZE),
                    (int) range(FramewiseOptions.MAX_H264_DECODERS, 1, 100_000),
                    duration(FramewiseOptions.MAX_FRAME_AGE, Duration.ZERO, Duration.ofHours(24)),
                    decimal(FramewiseOptions.MAX_FPS_PER_CAMERA, 0, 1000), delivery, txTimeout, checkpoints, choice(FramewiseOptions.ORDERING, Ordering.class),
                    (int) range(FramewiseOptions.PARALLELISM, 0, 4096), nonBlank(FramewiseOptions.JOB_NAME), kafka, flink);
        }

        private Entry entry(ConfigOption<?> option) {
            return entries.get(option.key());
        }

        private String origin(ConfigOption<?> option) {
            Entry e = entry(option);
            return e == null ? "default" : e.origin();
        }

        private String string(ConfigOption<String> option) {
            Entry e = entry(option);
            return e != null ? e.value() : option.hasDefaultValue() ? option.defaultValue() : null;
        }

        private String nonBlank(ConfigOption<String> option) {
            String v = string(option);
            if (v == null || v.isBlank()) {
                throw invalid(option, "must not be empty");
            }
            return v.strip();
        }

        private String topic(ConfigOption<String> option) {
            String v = nonBlank(option);
            if (!v.matches("[a-zA-Z0-9._-]{1,249}")) {
                throw invalid(option, "'" + v + "' is not a valid Kafka topic name (letters, digits, '.', '_', '-')");
            }
            return v;
        }

        private boolean bool(ConfigOption<Boolean> option) {
            Entry e = entry(option);
            if (e == null) {
                return option.defaultValue();
            }
            String v = e.value().strip().toLowerCase(Locale.ROOT);
            if (!v.equals("true") && !v.equals("false")) {
                throw invalid(option, "'" + e.value() + "' is not true or false");
            }
            return Boolean.parseBoolean(v);
        }

        private long range(ConfigOption<? extends Number> option, long min, long max) {
            Entry e = entry(option);
            long v;
            if (e == null) {
                v = option.defaultValue().longValue();
            } else {
                try {
                    v = Long.parseLong(e.value().strip().replace("_", ""));
                } catch (NumberFormatException x) {
                    throw invalid(option, "'" + e.value() + "' is not a whole number");
                }
            }
            if (v < min || v > max) {
                throw invalid(option, v + " is out of range: use " + min + (max == Long.MAX_VALUE ? " or more" : " to " + max));
            }
            return v;
        }

        private double decimal(ConfigOption<Double> option, double min, double max) {
            Entry e = entry(option);
            double v;
            if (e == null) {
                v = option.defaultValue();
            } else {
                try {
                    v = Double.parseDouble(e.value().strip());
                } catch (NumberFormatException x) {
                    throw invalid(option, "'" + e.value() + "' is not a number");
                }
            }
            if (!(v >= min && v <= max)) {
                throw invalid(option, v + " is out of range: use " + min + " to " + max);
            }
            return v;
        }

        private Duration duration(ConfigOption<Duration> option, Duration min, Duration max) {
            Entry e = entry(option);
            Duration v;
            if (e == null) {
                v = option.defaultValue();
            } else {
                try {
                    v = TimeUtils.parseDuration(e.value().strip());
                } catch (IllegalArgumentException | NullPointerException x) {
                    throw invalid(option, "'" + e.value() + "' is not a duration; write e.g. 20 ms, 10 s or 5 min");
                }
            }
            if (v.compareTo(min) < 0 || v.compareTo(max) > 0) {
                throw invalid(option, TimeUtils.formatWithHighestUnit(v) + " is out of range: use "
                        + TimeUtils.formatWithHighestUnit(min) + " to " + TimeUtils.formatWithHighestUnit(max));
            }
            return v;
        }

        private <E extends Enum<E>> E choice(ConfigOption<String> option, Class<E> type) {
            String v = nonBlank(option);
            String normalized = v.toUpperCase(Locale.ROOT).replace('-', '_');
            for (E c : type.getEnumConstants()) {
                if (c.name().equals(normalized)) {
                    return c;
                }
            }
            List<String> names = new ArrayList<>();
            for (E c : type.getEnumConstants()) {
                names.add(c.name().toLowerCase(Locale.ROOT).replace('_', '-'));
            }
            throw invalid(option, "'" + v + "' is not one of " + String.join(", ", names));
        }

        private ConfigException invalid(ConfigOption<?> option, String problem) {
            return new ConfigException(option.key() + " (" + origin(option) + "): " + problem);
        }

        private static String suggestion(String key, Set<String> known) {
            String best = null;
            int bestDistance = Integer.MAX_VALUE;
            for (String k : known) {
                int d = distance(key, k);
                if (d < bestDistance) {
                    bestDistance = d;
                    best = k;
                }
            }
            return best != null && bestDistance <= Math.max(2, key.length() / 4) ? ": did you mean '" + best + "'?" : "";
        }

        /** Levenshtein distance, for "did you mean". */
        private static int distance(String a, String b) {
            int[] prev = new int[b.length() + 1];
            int[] cur = new int[b.length() + 1];
            for (int j = 0; j <= b.length(); j++) {
                prev[j] = j;
            }
            for (int i = 1; i <= a.length(); i++) {
                cur[0] = i;
                for (int j = 1; j <= b.length(); j++) {
                    int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                    cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
                }
                int[] t = prev;
                prev = cur;
                cur = t;
            }
            return prev[b.length()];
        }
    }
}
