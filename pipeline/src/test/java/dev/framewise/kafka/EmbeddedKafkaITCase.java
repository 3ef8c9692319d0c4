package dev.framewise.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The in-process broker: topics, transactions and a clean close. */
class EmbeddedKafkaITCase {
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
    void createTopicsMakesEveryPartitionReady() throws Exception {
        kafka.createTopics(3, "embedded-topics-a", "embedded-topics-b");
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            assertTrue(admin.listTopics().names().get().containsAll(Set.of("embedded-topics-a", "embedded-topics-b")));
            Map<String, TopicDescription> described =
                    admin.describeTopics(List.of("embedded-topics-a", "embedded-topics-b")).allTopicNames().get();
            described.values().forEach(d -> assertEquals(3, d.partitions().size(), d.name()));
        }
    }

    @Test
    void transactionalRecordsRoundTrip() {
        String topic = "embedded-round-trip";
        kafka.createTopics(2, topic);
        List<String> sent = IntStream.range(0, 20).mapToObj(i -> "record-" + i).toList();
        KafkaTestClients.produceTransactionally(kafka.bootstrapServers(), topic, sent);
        List<String> read = KafkaTestClients.consume(kafka.bootstrapServers(), topic, sent.size(), Duration.ofSeconds(30));
        assertEquals(KafkaTestClients.sorted(sent), KafkaTestClients.sorted(read));
    }

    @Test
    void closeDeletesTheDataAndIsIdempotent() {
        EmbeddedKafka second = EmbeddedKafka.start();
        Path data = second.dataDirectory();
        assertTrue(Files.isDirectory(data));
        second.close();
        second.close();
        assertFalse(Files.exists(data), "data directory " + data + " is deleted");
    }
}
