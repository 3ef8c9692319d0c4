package dev.framewise.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code framewise kafka}: a real broker process, stopped by a signal as a user stops it. */
class KafkaCommandSystemTest {
    private static final Pattern UP = Pattern.compile("Kafka broker up at (127\\.0\\.0\\.1:\\d+) in [\\d.]+ s \\(pid (\\d+), "
            + "data in (.+), log in (.+)\\); Ctrl-C stops it\\.\n");

    @TempDir
    Path dir;

    @Test
    void runsUntilSigtermThenStopsTheBrokerCleanly() throws Exception {
        Path data = dir.resolve("kafka");
        CliRun run = CliRun.start("kafka", "--port", "0", "--data", data.toString());
        run.await("the broker", () -> run.out().contains("Ctrl-C stops it"), Duration.ofSeconds(90));
        Matcher up = UP.matcher(run.out());
        assertTrue(up.matches(), run.out());
        assertEquals(data.toString(), up.group(3));
        assertEquals(data.resolve("broker.log").toString(), up.group(4));
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, up.group(1)))) {
            assertEquals(1, admin.describeCluster().nodes().get().size());
        }
        long pid = Long.parseLong(up.group(2));

        CliRun.signalThisJvm("TERM");
        assertEquals(0, run.status(Duration.ofSeconds(60)), run.err());
        assertTrue(run.out().contains("SIGTERM: stopping the Kafka broker ...\nKafka broker stopped in "), run.out());
        assertTrue(run.out().endsWith("; data kept in " + data + ".\n"), run.out());
        assertTrue(ProcessHandle.of(pid).isEmpty(), "broker process " + pid + " is gone");
        assertEquals("", run.err());
    }

    @Test
    void aPortInUseIsOneLine() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            CliRun run = CliRun.run("kafka", "--port", Integer.toString(taken.getLocalPort()), "--data", dir.toString());
            assertEquals(1, run.status(Duration.ofSeconds(10)));
            assertEquals("framewise: error: 127.0.0.1:" + taken.getLocalPort() + " is already in use by another process\n",
                    run.err());
        }
    }

    @Test
    void anUnusableDataDirectoryIsOneLine() throws Exception {
        // A file where a directory must go: permissions would not stop root, who runs CI here.
        Path file = Files.writeString(dir.resolve("plain"), "x");
        CliRun run = CliRun.run("kafka", "--port", "0", "--data", file.resolve("kafka").toString());
        assertEquals(1, run.status(Duration.ofSeconds(10)));
        assertTrue(run.err().startsWith("framewise: error: cannot use " + file.resolve("kafka")
                + " as the broker's data directory: "), run.err());
        assertEquals(1, run.err().lines().count(), run.err());
    }
}
