package dev.framewise.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code framewise demo} as its own process, as a newcomer runs it: embedded Kafka, a local Flink
 * cluster, the job and synthetic cameras; every frame sent comes back classified or dead-lettered.
 */
class DemoSystemTest {
    @TempDir
    Path dir;

    private Process start(String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx1g", "-Dframewise.log.file=" + dir.resolve("framewise.log"),
                "-cp", System.getProperty("java.class.path"), "dev.framewise.cli.Framewise", "demo"));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(dir.resolve("demo.out").toFile());
        pb.environment().put("FRAMEWISE_HOME", dir.resolve("home").toString());
        return pb.start();
    }

    private String output() throws IOException {
        return Files.readString(dir.resolve("demo.out"));
    }

    private int awaitExit(Process p, Duration timeout) throws Exception {
        if (!p.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("the demo did not end within " + timeout + "; output:\n" + output());
        }
        return p.exitValue();
    }

    @Test
    void everyFrameSentIsClassifiedOrDeadLettered() throws Exception {
        Path summary = dir.resolve("summary.json");
        Process demo = start("--seconds", "20", "--summary-json", summary.toString());
        int status = awaitExit(demo, Duration.ofMinutes(4));
        assertEquals(0, status, output());
        JsonNode s = new ObjectMapper().readTree(summary.toFile());
        long sent = s.get("frames_sent").asLong();
        assertTrue(sent >= 100, "3 cameras at 5 frames/s for 20 s: " + sent);
        assertEquals(sent, s.get("classified").asLong() + s.get("dead_lettered").asLong(), s.toString());
        assertTrue(s.get("dead_lettered").asLong() > 0, "some frames are broken on purpose");
        assertEquals(s.get("broken_on_purpose"), s.get("dead_letters_by_reason"), "each broken frame has its reason");
        assertTrue(s.get("complete").asBoolean());
        assertTrue(s.get("latency_ms").get("p50").asDouble() > 0);
        assertTrue(output().contains("frames sent " + String.format(java.util.Locale.ROOT, "%,d", sent) + " = classified"),
                output());
    }

    @Test
    void ctrlCStopsCleanlyWithASummary() throws Exception {
        Process demo = start("--fps", "2", "--cameras", "2");
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        while (!output().contains("lobby ") || !output().contains("filming until Ctrl-C")) {
            if (!demo.isAlive() || System.nanoTime() > deadline) {
                demo.destroyForcibly();
                throw new AssertionError("no results from the demo; output:\n" + output());
            }
            Thread.sleep(200);
        }
        new ProcessBuilder("kill", "-INT", Long.toString(demo.pid())).inheritIO().start().waitFor();
        assertEquals(0, awaitExit(demo, Duration.ofMinutes(2)), output());
        String out = output();
        assertTrue(out.contains("stopped filming after") && out.contains("(SIGINT)"), out);
        assertTrue(out.matches("(?s).*frames sent [0-9,]+ = classified [0-9,]+ \\+ dead-lettered [0-9,]+\\n.*"), out);
    }
}
