package dev.framewise.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Mistakes with {@code framewise cluster} and {@code run --target} that need no cluster: each one clear line. */
class ClusterCommandTest {
    @TempDir
    Path dir;

    @Test
    void statusWithoutAClusterSaysHowToStartOne() throws Exception {
        CliRun run = CliRun.run("cluster", "status", "--dir", dir.toString());
        assertEquals(1, run.status(Duration.ZERO));
        assertEquals("framewise: error: no cluster in " + dir + " (framewise cluster up starts one)\n", run.err());
    }

    @Test
    void badUpArgumentsAreUsageErrors() throws Exception {
        CliRun none = CliRun.run("cluster", "up", "--dir", dir.toString(), "--taskmanagers", "0");
        assertEquals(2, none.status(Duration.ZERO));
        assertTrue(none.err().startsWith("framewise: --taskmanagers must be at least 1\n"), none.err());

        CliRun setting = CliRun.run("cluster", "up", "--dir", dir.toString(), "-D", "taskmanager.numberOfTaskSlots");
        assertEquals(1, setting.status(Duration.ZERO));
        assertEquals("framewise: configuration error: 'taskmanager.numberOfTaskSlots' (-D taskmanager.numberOfTaskSlots)"
                + " is not key=value, e.g. batch.max-size=16\n", setting.err());
    }

    @Test
    void anUnreachableTargetIsOneLineNamingTheAddress() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            port = s.getLocalPort();
        }
        CliRun run = CliRun.run("run", "--target", "127.0.0.1:" + port, "--bootstrap", "127.0.0.1:9");
        assertEquals(1, run.status(Duration.ZERO));
        assertEquals("framewise: error: cannot reach a Flink cluster at 127.0.0.1:" + port + " (nothing answers there):"
                + " check the address, or 'framewise cluster status' for the local cluster's\n", run.err());
    }

    @Test
    void aTargetIsHostAndPortAndTheClusterBringsItsOwnSlots() throws Exception {
        CliRun url = CliRun.run("run", "--target", "http://127.0.0.1:8081");
        assertEquals(2, url.status(Duration.ZERO));
        assertTrue(url.err().startsWith("framewise: --target must be HOST:PORT, the address of the JobManager's REST API"
                + " (its web UI), e.g. 127.0.0.1:8081; not 'http://127.0.0.1:8081'\n"), url.err());

        CliRun slots = CliRun.run("run", "--target", "127.0.0.1:8081", "--slots", "2");
        assertEquals(2, slots.status(Duration.ZERO));
        assertTrue(slots.err().startsWith("framewise: --slots sizes the cluster inside this process; with --target"), slots.err());
    }
}
