package dev.framewise.kafka;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A single-node Kafka broker inside this JVM (KRaft, broker and controller combined), for the demo
 * and for integration tests. It listens on {@code localhost} at a free port and keeps its data in a
 * temporary directory that {@link #close()} deletes. For a broker that outlives the JVM, or a
 * cluster of processes, use {@link LocalKafkaBroker}.
 */
public final class EmbeddedKafka implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafka.class);
    private static final Duration TOPIC_TIMEOUT = Duration.ofSeconds(30);

    private final KafkaClusterTestKit cluster;
    private final AtomicBoolean closed = new AtomicBoolean();

    private EmbeddedKafka(KafkaClusterTestKit cluster) {
        this.cluster = cluster;
    }

    /** Formats a fresh data directory, starts the broker and returns once it serves clients. */
    public static EmbeddedKafka start() {
        long start = System.nanoTime();
        KafkaClusterTestKit cluster = null;
        try {
            TestKitNodes nodes = new TestKitNodes.Builder()
                    .setCombined(true)
                    .setNumBrokerNodes(1)
                    .setNumControllerNodes(1)
                    .build();
            KafkaClusterTestKit.Builder builder = new KafkaClusterTestKit.Builder(nodes).setDeleteOnClose(true);
            SingleNodeConfig.SETTINGS.forEach(builder::setConfigProp);
            cluster = builder.build();
            formatQuietly(cluster);
            cluster.startup();
            cluster.waitForReadyBrokers();
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            if (cluster != null) {
                closeAfterFailure(cluster, e);
            }
            throw new KafkaBrokerException("the embedded Kafka broker did not start: " + e, e);
        }
        EmbeddedKafka kafka = new EmbeddedKafka(cluster);
        LOG.info("Embedded Kafka broker up at {} in {} ms (data in {})", kafka.bootstrapServers(),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start), kafka.dataDirectory());
        return kafka;
    }

    /** {@code localhost:<port>}, for {@code bootstrap.servers}. */
    public String bootstrapServers() {
        return cluster.bootstrapServers();
    }

    /** Where the broker keeps its data until {@link #close()}. */
    public Path dataDirectory() {
        return Path.of(cluster.nodes().baseDirectory());
    }

    /**
     * Creates topics with one replica each and returns once the broker serves every partition, so a
     * producer or consumer started next finds them.
     */
    public void createTopics(int partitions, String... names) {
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions must be at least 1, not " + partitions);
        }
        if (names.length == 0) {
            throw new IllegalArgumentException("no topic names given");
        }
        List<NewTopic> topics = Arrays.stream(names).map(n -> new NewTopic(n, partitions, (short) 1)).toList();
        long deadline = System.nanoTime() + TOPIC_TIMEOUT.toNanos();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()))) {
            admin.createTopics(topics).all().get(TOPIC_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            // Creation is acknowledged once the controller commits it; the broker serves the
            // partitions a moment later, when it has applied the new metadata.
            while (!allLed(admin, List.of(names), partitions)) {
                if (System.nanoTime() > deadline) {
                    throw new KafkaBrokerException("topics " + String.join(", ", names) + " were created but have no"
                            + " leader after " + TOPIC_TIMEOUT.toSeconds() + " s");
                }
                Thread.sleep(20);
            }
        } catch (ExecutionException e) {
            throw new KafkaBrokerException("cannot create topics " + String.join(", ", names) + ": "
                    + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new KafkaBrokerException("creating topics " + String.join(", ", names) + " took longer than "
                    + TOPIC_TIMEOUT.toSeconds() + " s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaBrokerException("interrupted while creating topics " + String.join(", ", names), e);
        }
    }

    private static boolean allLed(Admin admin, List<String> names, int partitions) throws InterruptedException {
        try {
            Map<String, TopicDescription> described = admin.describeTopics(names).allTopicNames().get();
            return described.values().stream().allMatch(d -> d.partitions().size() == partitions
                    && d.partitions().stream().allMatch(p -> p.leader() != null && !p.leader().isEmpty()));
        } catch (ExecutionException e) {
            // Not known to the broker yet.
            return false;
        }
    }

    /** Stops the broker and deletes its data; calling it again does nothing. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        long start = System.nanoTime();
        try {
            cluster.close();
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw new KafkaBrokerException("the embedded Kafka broker did not stop cleanly: " + e, e);
        }
        LOG.info("Embedded Kafka broker stopped in {} ms", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
    }

    /**
     * The test kit's storage formatter prints the bootstrap metadata to {@code System.out}, which is
     * the demo's terminal; it goes to the debug log instead. Nothing else prints during the format:
     * the broker starts before the demo shows anything.
     */
    private static void formatQuietly(KafkaClusterTestKit cluster) throws Exception {
        PrintStream out = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            cluster.format();
        } finally {
            System.setOut(out);
        }
        LOG.debug("Formatted the embedded broker's storage: {}", captured.toString(StandardCharsets.UTF_8).strip());
    }

    private static void closeAfterFailure(KafkaClusterTestKit cluster, Exception failure) {
        try {
            cluster.close();
        } catch (Exception e) {
            failure.addSuppressed(e);
        }
    }
}
