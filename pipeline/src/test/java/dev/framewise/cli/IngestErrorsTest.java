package dev.framewise.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code framewise ingest} refusing to start: one line saying why, and the exit status to match. */
class IngestErrorsTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    @Test
    void aMissingFileIsOneLineAndStatus1() throws Exception {
        String missing = dir.resolve("no-such-clip.mp4").toString();
        CliRun run = CliRun.run("ingest", "--source", missing, "--camera-id", "c", "--bootstrap", "127.0.0.1:1");
        assertEquals(1, run.status(TIMEOUT));
        assertEquals("framewise: error: cannot open " + missing + ": no such file\n", run.err());
    }

    @Test
    void anUnknownCodecIsBadUsage() throws Exception {
        CliRun run = CliRun.run("ingest", "--source", "x.mp4", "--camera-id", "c", "--codec", "vp9");
        assertEquals(2, run.status(TIMEOUT));
        assertEquals("framewise: Invalid value for option '--codec': expected jpeg or h264, not 'vp9'",
                run.err().lines().findFirst().orElseThrow());
    }

    @Test
    void loopWithALiveSourceIsBadUsage() throws Exception {
        CliRun run = CliRun.run("ingest", "--source", "udp://127.0.0.1:5000", "--camera-id", "c", "--loop");
        assertEquals(2, run.status(TIMEOUT));
        assertTrue(run.err().startsWith("framewise: --loop works with files only"), run.err());
    }

    @Test
    void anUnreachableBrokerIsOneLineWithinTheTimeout() throws Exception {
        Path clip = Files.createFile(dir.resolve("clip.mp4"));
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        long start = System.nanoTime();
        CliRun run = CliRun.run("ingest", "--source", clip.toString(), "--camera-id", "c",
                "--bootstrap", "127.0.0.1:" + port, "--kafka-timeout", "2");
        assertEquals(1, run.status(TIMEOUT));
        assertEquals("framewise: error: cannot reach Kafka at 127.0.0.1:" + port
                + " within 2 s; is a broker running there? ('framewise kafka' starts one)\n", run.err());
        assertTrue(System.nanoTime() - start < Duration.ofSeconds(10).toNanos(), "fails within the timeout");
    }
}
