package dev.framewise.cli;

import dev.framewise.cli.Framewise.UserException;
import dev.framewise.results.CameraStats;
import dev.framewise.results.CameraTable;
import dev.framewise.results.LatencyPercentiles;
import dev.framewise.results.ResultLines;
import dev.framewise.schemas.DeadLetter;
import dev.framewise.schemas.FrameClassification;
import dev.framewise.schemas.SingleObjectCodec;
import dev.framewise.schemas.SingleObjectCodec.UnreadableRecordException;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code framewise results}: a tail of the classifications topic, with latency statistics. */
@Command(name = "results", mixinStandardHelpOptions = true,
        description = {"Print classifications as they arrive, with end-to-end latency statistics every few seconds,"
                + " a per-camera summary (frames/s, top labels, latency p50/p99, dead letters) every --summary-every"
                + " seconds, and both at the end (Ctrl-C, or --count).",
            "Shows committed results only (read_committed) and commits no offsets, so tails never interfere."})
final class ResultsCommand implements Callable<Integer> {
    private static final Duration STATS_INTERVAL = Duration.ofSeconds(5);
    private static final Duration POLL = Duration.ofMillis(200);
    /** About 0.8 MB: statistics cover the last 100,000 results of a long tail. */
    private static final int LATENCY_WINDOW = 100_000;

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--bootstrap", paramLabel = "HOST:PORT", defaultValue = "localhost:9092",
            description = "Kafka bootstrap servers (default: ${DEFAULT-VALUE}).")
    String bootstrap;

    @Option(names = "--topic", paramLabel = "T", defaultValue = "classifications",
            description = "The classifications topic (default: ${DEFAULT-VALUE}).")
    String topic;

    @Option(names = "--dead-letters-topic", paramLabel = "T", defaultValue = "frames-dlq",
            description = "The dead-letter topic, counted per camera in the summary (default: ${DEFAULT-VALUE}).")
    String deadLettersTopic;

    @Option(names = "--summary-every", paramLabel = "SECONDS", defaultValue = "10",
            description = "Print the per-camera summary this often; 0: only at the end (default: ${DEFAULT-VALUE}).")
    int summaryEvery;

    @Option(names = "--rows", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Print a row per result (default: yes; --no-rows for summaries only, e.g. with many cameras).")
    boolean rows;

    @Option(names = "--count", paramLabel = "N", description = "Exit after N results.")
    Long count;

    @Option(names = "--camera", paramLabel = "ID", description = "Only this camera's results.")
    String camera;

    @Option(names = "--from-beginning", description = "Start at the oldest result instead of the newest.")
    boolean fromBeginning;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "10",
            description = "How long to wait for the broker to answer (default: ${DEFAULT-VALUE}).")
    int timeoutSeconds;

    @Override
    public Integer call() throws InterruptedException {
        if (count != null && count < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--count must be at least 1");
        }
        if (summaryEvery < 0) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--summary-every must be 0 or more");
        }
        if (timeoutSeconds < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--timeout must be at least 1 second");
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try (Consumer<byte[], byte[]> consumer = consumer();
                StopSignals signals = StopSignals.install(consumer::wakeup)) {
            Tail tail = new Tail(out, err);
            try {
                List<TopicPartition> partitions = partitions(consumer, signals, err);
                if (!partitions.isEmpty()) {
                    List<TopicPartition> all = new java.util.ArrayList<>(partitions);
                    // Dead letters count per camera when their topic exists; a tail does not wait for it.
                    consumer.partitionsFor(deadLettersTopic, Duration.ofSeconds(timeoutSeconds))
                            .forEach(i -> all.add(new TopicPartition(deadLettersTopic, i.partition())));
                    start(consumer, all, partitions.size(), out, tail);
                    tail.run(consumer);
                }
            } catch (WakeupException e) {
                // Ctrl-C or SIGTERM: stop reading and report.
            } catch (org.apache.kafka.common.errors.TimeoutException e) {
                throw unreachable();
            }
            tail.finish();
            return 0;
        }
    }

    private void start(Consumer<?, ?> consumer, List<TopicPartition> partitions, int resultPartitions, PrintWriter out,
            Tail tail) {
        consumer.assign(partitions);
        if (fromBeginning) {
            consumer.seekToBeginning(partitions);
        } else {
            consumer.seekToEnd(partitions);
        }
        // Seeks are lazy: resolve them now, so that once this says "reading", every later result shows.
        partitions.forEach(consumer::position);
        out.printf("Reading %s at %s (%s) from the %s%s; Ctrl-C stops.%n", topic, bootstrap,
                resultPartitions == 1 ? "1 partition" : resultPartitions + " partitions",
                fromBeginning ? "beginning" : "end", camera == null ? "" : ", camera " + camera);
        if (rows) {
            out.println(tail.lines.header());
        }
        out.flush();
    }

    private Consumer<byte[], byte[]> consumer() {
        Map<String, Object> config = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.CLIENT_ID_CONFIG, "framewise-results",
                // Results of an exactly-once job appear when its checkpoint commits them, never before.
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                // No group: partitions are assigned by hand, so tails neither share work nor leave offsets behind.
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) TimeUnit.SECONDS.toMillis(timeoutSeconds));
        try {
            return new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        } catch (KafkaException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            throw new UserException("cannot use --bootstrap " + bootstrap + ": " + cause.getMessage(), e);
        }
    }

    /**
     * The topic's partitions once it exists: a tail may start before the job has created its
     * output topic. Empty when a stop signal came first.
     */
    private List<TopicPartition> partitions(Consumer<?, ?> consumer, StopSignals signals, PrintWriter err)
            throws InterruptedException {
        boolean told = false;
        while (true) {
            List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(timeoutSeconds));
            if (!infos.isEmpty()) {
                return infos.stream().map(i -> new TopicPartition(topic, i.partition())).toList();
            }
            if (!told) {
                err.printf("framewise: topic %s does not exist at %s yet; waiting for it (Ctrl-C stops).%n",
                        topic, bootstrap);
                err.flush();
                told = true;
            }
            try {
                signals.received().get(1, TimeUnit.SECONDS);
                return List.of();
            } catch (TimeoutException e) {
                // Not stopped: ask again.
            } catch (ExecutionException e) {
                throw new IllegalStateException(e.getCause());
            }
        }
    }

    private UserException unreachable() {
        return new UserException("cannot reach Kafka at " + bootstrap + " within " + timeoutSeconds
                + " s; is a broker running there? ('framewise kafka' starts one)");
    }

    /** What the tail has shown so far, and the statistics over it. */
    private final class Tail {
        final PrintWriter out;
        final PrintWriter err;
        final ResultLines lines = new ResultLines(ZoneId.systemDefault());
        final LatencyPercentiles latency = new LatencyPercentiles(LATENCY_WINDOW);
        final CameraStats cameras = new CameraStats();
        final SingleObjectCodec<FrameClassification> codec = SingleObjectCodec.FRAME_CLASSIFICATION;

        Tail(PrintWriter out, PrintWriter err) {
            this.out = out;
            this.err = err;
        }

        void run(Consumer<byte[], byte[]> consumer) {
            long nextStats = System.nanoTime() + STATS_INTERVAL.toNanos();
            long nextSummary = System.nanoTime() + TimeUnit.SECONDS.toNanos(summaryEvery);
            long shownAtLastStats = 0;
            while (count == null || latency.count() < count) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(POLL)) {
                    show(r);
                    if (count != null && latency.count() >= count) {
                        break;
                    }
                }
                out.flush();
                if (System.nanoTime() - nextStats >= 0) {
                    if (latency.count() > shownAtLastStats) {
                        printStats();
                        shownAtLastStats = latency.count();
                    }
                    nextStats = System.nanoTime() + STATS_INTERVAL.toNanos();
                }
                if (summaryEvery > 0 && System.nanoTime() - nextSummary >= 0) {
                    printSummary();
                    nextSummary = System.nanoTime() + TimeUnit.SECONDS.toNanos(summaryEvery);
                }
            }
        }

        private void printSummary() {
            out.println();
            out.print(CameraTable.render(cameras.snapshot(System.nanoTime())));
            out.println();
            out.flush();
        }

        private void show(ConsumerRecord<byte[], byte[]> r) {
            if (r.topic().equals(deadLettersTopic)) {
                try {
                    DeadLetter d = SingleObjectCodec.DEAD_LETTER.decode(r.value());
                    if (camera == null || camera.equals(d.getCameraId())) {
                        cameras.recordDeadLetter(d);
                    }
                } catch (UnreadableRecordException e) {
                    err.printf("framewise: warning: skipped %s-%d offset %d: %s%n", r.topic(), r.partition(), r.offset(),
                            e.getMessage());
                    err.flush();
                }
                return;
            }
            FrameClassification result;
            try {
                result = codec.decode(r.value());
            } catch (UnreadableRecordException e) {
                err.printf("framewise: warning: skipped %s-%d offset %d: %s%n", r.topic(), r.partition(), r.offset(),
                        e.getMessage());
                err.flush();
                return;
            }
            if (camera != null && !camera.equals(result.getCameraId())) {
                return;
            }
            if (rows) {
                out.println(lines.row(result));
            }
            latency.record(result.getLatency().getEndToEndUs());
            cameras.record(result);
        }

        private void printStats() {
            latency.summary().ifPresent(s -> out.println("-- " + ResultLines.stats(s)));
            out.flush();
        }

        void finish() {
            if (latency.count() == 0) {
                out.println("-- no results");
            } else {
                printStats();
                printSummary();
            }
            out.flush();
        }
    }
}
