package dev.framewise.cli;

import static dev.framewise.results.TestResults.classification;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.framewise.kafka.EmbeddedKafka;
import dev.framewise.schemas.FrameClassification;
import dev.framewise.schemas.SingleObjectCodec;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code framewise results} against a real broker, with results produced the way the job produces them. */
class ResultsCommandITCase {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static EmbeddedKafka kafka;

    @BeforeAll
    static void startBroker() {
        kafka = EmbeddedKafka.start();
    }

    @AfterAll
    static void stopBroker() {
        kafka.close();
    }

    @Test
    void countShowsCommittedResultsOnlyAndSkipsUnreadableValues() throws Exception {
        String topic = "results-count";
        kafka.createTopics(1, topic);
        try (KafkaProducer<String, byte[]> producer = producer(topic)) {
            producer.initTransactions();
            commit(producer, topic, classification("door", 1, 10_000, "tabby cat", 0.875f, 4),
                    classification("door", 2, 20_000, "tabby cat", 0.875f, 4));
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(topic, "door", "not a classification".getBytes()));
            producer.commitTransaction();
            producer.beginTransaction();
            producer.send(record(topic, classification("door", 3, 999_000, "aborted", 0.5f, 1)));
            producer.flush();
            producer.abortTransaction();
            commit(producer, topic, classification("yard", 1, 30_000, "red fox", 0.5f, 8),
                    classification("yard", 2, 40_000, "red fox", 0.5f, 8));
        }

        CliRun run = CliRun.run("results", "--bootstrap", kafka.bootstrapServers(), "--topic", topic,
                "--from-beginning", "--count", "4");
        assertEquals(0, run.status(TIMEOUT), run.err());
        String time = DateTimeFormatter.ofPattern("HH:mm:ss.SSS").withZone(ZoneId.systemDefault())
                .format(dev.framewise.results.TestResults.CLASSIFIED);
        List<String> lines = run.out().lines().toList();
        assertTrue(lines.get(0).startsWith("Reading " + topic + " at " + kafka.bootstrapServers()
                + " (1 partition) from the beginning"), lines.get(0));
        assertEquals("time          camera         sequence    e2e ms  batch  score  top label", lines.get(1));
        assertEquals(time + "  door                  1      10.0      4  0.875  tabby cat", lines.get(2));
        assertEquals(time + "  yard                  2      40.0      8  0.500  red fox", lines.get(5));
        assertFalse(run.out().contains("aborted"), "an aborted transaction's result is never shown");
        assertTrue(run.out().contains("-- 4 results; end-to-end p50 20.0 ms, p90 40.0 ms, p99 40.0 ms, max 40.0 ms\n"),
                run.out());
        assertTrue(run.out().contains("door          2             0"), run.out());
        assertEquals(1, run.err().lines().count(), run.err());
        // Offset 2 is the first transaction's commit marker.
        assertTrue(run.err().startsWith("framewise: warning: skipped " + topic + "-0 offset 3: not Avro single-object encoded"),
                run.err());
    }

    @Test
    void tailsFromTheEndAndFiltersOneCamera() throws Exception {
        String topic = "results-tail";
        kafka.createTopics(2, topic);
        try (KafkaProducer<String, byte[]> producer = producer(topic)) {
            producer.initTransactions();
            commit(producer, topic, classification("door", 0, 10_000, "old"));
            CliRun run = CliRun.start("results", "--bootstrap", kafka.bootstrapServers(), "--topic", topic,
                    "--camera", "yard", "--count", "2");
            run.await("the tail's start", () -> run.out().contains("Reading"), TIMEOUT);
            commit(producer, topic, classification("door", 1, 10_000, "cat"), classification("yard", 1, 10_000, "fox"),
                    classification("door", 2, 10_000, "cat"), classification("yard", 2, 10_000, "fox"));
            assertEquals(0, run.status(TIMEOUT), run.err());
            List<String> rows = run.out().lines().filter(l -> l.matches("\\d\\d:\\d\\d:.*")).toList();
            assertEquals(2, rows.size(), run.out());
            assertTrue(rows.stream().allMatch(r -> r.contains("  yard  ")), run.out());
        }
    }

    @Test
    void waitsForTheTopicAndStopsOnCtrlC() throws Exception {
        String topic = "results-ctrl-c";
        CliRun run = CliRun.start("results", "--bootstrap", kafka.bootstrapServers(), "--topic", topic);
        run.await("the wait for the topic", () -> run.err().contains("does not exist"), TIMEOUT);
        kafka.createTopics(1, topic);
        run.await("the tail's start", () -> run.out().contains("Reading"), TIMEOUT);
        try (KafkaProducer<String, byte[]> producer = producer(topic)) {
            producer.initTransactions();
            commit(producer, topic, classification("door", 1, 15_000, "cat"));
        }
        run.await("the result", () -> run.out().contains("cat\n"), TIMEOUT);
        CliRun.signalThisJvm("INT");
        assertEquals(0, run.status(TIMEOUT), run.err());
        assertTrue(run.out().contains("-- 1 results; end-to-end p50 15.0 ms"), run.out());
    }

    @Test
    void anUnreachableBrokerIsOneLine() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            port = s.getLocalPort();
        }
        CliRun run = CliRun.run("results", "--bootstrap", "127.0.0.1:" + port, "--timeout", "1");
        assertEquals(1, run.status(TIMEOUT));
        assertEquals("framewise: error: cannot reach Kafka at 127.0.0.1:" + port + " within 1 s; is a broker running"
                + " there? ('framewise kafka' starts one)\n", run.err());
    }

    private static KafkaProducer<String, byte[]> producer(String topic) {
        Properties p = new Properties();
        p.putAll(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ProducerConfig.TRANSACTIONAL_ID_CONFIG, "test-" + topic));
        return new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    }

    private static ProducerRecord<String, byte[]> record(String topic, FrameClassification c) {
        return new ProducerRecord<>(topic, c.getCameraId(), SingleObjectCodec.FRAME_CLASSIFICATION.encode(c));
    }

    private static void commit(KafkaProducer<String, byte[]> producer, String topic, FrameClassification... results) {
        producer.beginTransaction();
        for (FrameClassification c : results) {
            producer.send(record(topic, c));
        }
        producer.commitTransaction();
    }
}
