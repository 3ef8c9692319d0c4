package dev.framewise.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.framewise.kafka.KafkaConnections;
import dev.framewise.model.ModelBuilder;
import dev.framewise.model.arch.MobileNetV2;
import dev.framewise.model.weights.GeneratedWeights;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.StreamSupport;
import org.apache.flink.runtime.jobgraph.JobGraph;
import org.apache.flink.runtime.jobgraph.JobVertex;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The job's shape: one chain from source to results in the default mode, a shuffle in rebalance mode. */
class FramewiseJobGraphTest {
    @TempDir
    Path dir;

    private List<JobVertex> vertices(String ordering) throws Exception {
        Path model = dir.resolve("m.onnx");
        MobileNetV2 arch = MobileNetV2.custom("tiny", 0.25, 10);
        ModelBuilder.write(ModelBuilder.build(arch, GeneratedWeights.generate(arch, 1)), model);
        JobSettings s = JobSettings.from(new ConfigSource()
                .set("kafka.bootstrap-servers", "localhost:1", "test")
                .set("model.path", model.toString(), "test")
                .set("pipeline.ordering", ordering, "test")
                .set("pipeline.parallelism", "2", "test"));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        FramewiseJob.build(env, s, KafkaConnections.source(s), KafkaConnections.classificationsSink(s),
                KafkaConnections.deadLettersSink(s));
        JobGraph graph = env.getStreamGraph().getJobGraph();
        return StreamSupport.stream(graph.getVertices().spliterator(), false).toList();
    }

    @Test
    void chainedModeRunsSourceToResultsInOneTaskSoCameraOrderHolds() throws Exception {
        List<JobVertex> vs = vertices("chained");
        JobVertex main = vs.stream().filter(v -> v.getName().contains("classify")).findFirst().orElseThrow();
        assertTrue(main.getName().contains("frames") && main.getName().contains("parse")
                && main.getName().contains("classifications"), main.getName());
        assertEquals(2, main.getParallelism());
    }

    @Test
    void rebalanceModeShufflesParsedFramesToTheClassifiers() throws Exception {
        List<JobVertex> vs = vertices("rebalance");
        JobVertex source = vs.stream().filter(v -> v.getName().contains("parse")).findFirst().orElseThrow();
        assertTrue(source.getName().contains("decode-h264"), "H.264 is decoded before the shuffle: " + source.getName());
        JobVertex classify = vs.stream().filter(v -> v.getName().contains("classify")).findFirst().orElseThrow();
        assertTrue(source != classify, "classify is its own task behind a rebalance");
        assertTrue(classify.getInputs().get(0).getShipStrategyName().toLowerCase().contains("rebalance"),
                classify.getInputs().get(0).getShipStrategyName());
    }
}
