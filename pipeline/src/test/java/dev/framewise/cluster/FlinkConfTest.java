package dev.framewise.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.HeartbeatManagerOptions;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The local cluster's Flink configuration, read back by Flink's own parser and memory calculator. */
class FlinkConfTest {
    @TempDir
    Path root;

    @Test
    void flinkReadsWhatIsWritten() throws Exception {
        ClusterDirectory dir = new ClusterDirectory(root);
        Configuration conf = FlinkConf.write(dir, FlinkConf.settings(dir, 40000, 40001,
                Map.of("taskmanager.memory.process.size", "1536m", "pipeline.name", "it's quoted")));

        assertEquals(40001, conf.get(RestOptions.PORT));
        assertEquals("127.0.0.1", conf.get(RestOptions.BIND_ADDRESS));
        assertEquals(2, conf.get(TaskManagerOptions.NUM_TASK_SLOTS));
        assertEquals(List.of("ai.onnxruntime.", "org.bytedeco."), conf.get(CoreOptions.ALWAYS_PARENT_FIRST_LOADER_PATTERNS_ADDITIONAL));
        assertEquals(Duration.ofSeconds(2), conf.get(HeartbeatManagerOptions.HEARTBEAT_INTERVAL));
        assertEquals(root.resolve("checkpoints").toUri().toString(), conf.get(CheckpointingOptions.CHECKPOINTS_DIRECTORY));
        assertEquals(MemorySize.parse("1536m"), conf.get(TaskManagerOptions.TOTAL_PROCESS_MEMORY), "-D overrides the default");
        assertEquals("it's quoted", conf.getString("pipeline.name", null));

        FlinkConf.Arguments tm = FlinkConf.taskManagerArguments(conf);
        assertTrue(tm.jvm().stream().anyMatch(a -> a.startsWith("-Xmx")), tm.toString());
        assertTrue(tm.jvm().stream().anyMatch(a -> a.startsWith("-XX:MaxDirectMemorySize=")), tm.toString());
        assertTrue(tm.jvm().contains("--add-opens=java.base/java.util=ALL-UNNAMED"), tm.toString());
        assertTrue(tm.dynamic().contains("taskmanager.memory.task.off-heap.size=536870912b"), tm.toString());
        assertTrue(tm.dynamic().contains("taskmanager.memory.managed.size=67108864b"), tm.toString());
        FlinkConf.Arguments jm = FlinkConf.jobManagerArguments(conf);
        assertTrue(jm.jvm().stream().anyMatch(a -> a.startsWith("-Xmx")), jm.toString());
    }

    @Test
    void memoryThatDoesNotAddUpIsOneLineNamingTheSetting() {
        ClusterDirectory dir = new ClusterDirectory(root);
        ClusterException e = assertThrows(ClusterException.class, () -> FlinkConf.write(dir,
                FlinkConf.settings(dir, 40000, 40001, Map.of("taskmanager.memory.process.size", "700m"))));
        assertTrue(e.getMessage().startsWith("the TaskManagers' memory settings do not add up: "), e.getMessage());
        assertTrue(e.getMessage().contains("taskmanager.memory.process.size"), e.getMessage());
        assertEquals(1, e.getMessage().lines().count(), e.getMessage());
    }
}
