package dev.framewise.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The broker as a separate process: start, serve, stop, restart on the same data, and leave nothing behind. */
class LocalKafkaBrokerSystemTest {
    @TempDir
    Path data;

    @Test
    void restartKeepsTheDataAndStopLeavesNoProcess() throws Exception {
        try (LocalKafkaBroker broker = new LocalKafkaBroker(data, 0)) {
            broker.start();
            String bootstrap = broker.bootstrapServers();
            String server = Files.readString(data.resolve("server.properties"));
            assertTrue(server.contains("process.roles=broker,controller\n"), server);
            assertTrue(server.contains("listeners=PLAINTEXT://" + bootstrap + ",CONTROLLER://127.0.0.1:"), server);

            String topic = "local-restart";
            KafkaTestClients.createTopic(bootstrap, topic, 2);
            List<String> before = IntStream.range(0, 10).mapToObj(i -> "before-" + i).toList();
            KafkaTestClients.produceTransactionally(bootstrap, topic, before);
            assertEquals(before, KafkaTestClients.sorted(
                    KafkaTestClients.consume(bootstrap, topic, before.size(), Duration.ofSeconds(30))));

            long firstPid = broker.pid();
            assertTrue(broker.stop(), "the broker stops on SIGTERM without being killed");
            assertTrue(ProcessHandle.of(firstPid).isEmpty(), "process " + firstPid + " is gone");
            assertTrue(broker.stop(), "stopping a stopped broker does nothing");

            broker.start();
            assertEquals(bootstrap, broker.bootstrapServers(), "a restart keeps the port");
            assertTrue(broker.pid() != firstPid);
            List<String> after = IntStream.range(0, 5).mapToObj(i -> "after-" + i).toList();
            KafkaTestClients.produceTransactionally(bootstrap, topic, after);
            List<String> all = new ArrayList<>(before);
            all.addAll(after);
            assertEquals(KafkaTestClients.sorted(all), KafkaTestClients.sorted(
                    KafkaTestClients.consume(bootstrap, topic, all.size(), Duration.ofSeconds(30))));

            long secondPid = broker.pid();
            assertTrue(broker.stop());
            assertTrue(ProcessHandle.of(secondPid).isEmpty(), "process " + secondPid + " is gone");
        }
        String log = Files.readString(data.resolve("broker.log"));
        assertEquals(1, log.lines().filter(l -> l.contains("framewise") && l.contains("formatting the storage")).count(),
                "formatted once only");
        assertEquals(2, log.lines().filter(l -> l.contains("framewise") && l.contains("starting the broker")).count());
    }

    @Test
    void aTakenPortIsOneClearError() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            LocalKafkaBroker broker = new LocalKafkaBroker(data, taken.getLocalPort());
            KafkaBrokerException e = assertThrows(KafkaBrokerException.class, broker::start);
            assertEquals("127.0.0.1:" + taken.getLocalPort() + " is already in use by another process", e.getMessage());
            assertFalse(Files.exists(data.resolve("broker.log")), "no process was started");
        }
    }
}
