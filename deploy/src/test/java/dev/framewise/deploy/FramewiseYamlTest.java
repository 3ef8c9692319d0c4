package dev.framewise.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.framewise.job.FramewiseOptions;
import dev.framewise.job.JobSettings;
import java.time.Duration;
import org.apache.flink.configuration.TaskManagerOptions;
import org.junit.jupiter.api.Test;

/** deploy/framewise.yaml, the example of the job's own settings, as the job reads it. */
class FramewiseYamlTest {

    @Test
    void usesOnlyTheJobsKeys() {
        JobConfig.assertOnlyKnownKeys(Assets.flatten(Assets.yaml(Assets.framewiseYaml())), "deploy/framewise.yaml");
    }

    @Test
    void theJobAcceptsIt() {
        JobSettings s = JobConfig.parse(Assets.framewiseYaml());
        assertEquals(JobSettings.Delivery.EXACTLY_ONCE, s.delivery());
        assertEquals("/opt/framewise/model.onnx", s.modelPath(), "where the image puts the model");
        assertEquals(Duration.ofSeconds(10), s.checkpointInterval());
        assertEquals(Duration.ofSeconds(2), s.maxFrameAge());
    }

    @Test
    void topicsAreTheJobsDefaults() {
        // The compose topic creation and the Strimzi topics use the default names: keep them together.
        JobSettings s = JobConfig.parse(Assets.framewiseYaml());
        assertEquals(FramewiseOptions.FRAMES_TOPIC.defaultValue(), s.framesTopic());
        assertEquals(FramewiseOptions.CLASSIFICATIONS_TOPIC.defaultValue(), s.classificationsTopic());
        assertEquals(FramewiseOptions.DEAD_LETTERS_TOPIC.defaultValue(), s.deadLettersTopic());
    }

    @Test
    void batchingIsTheBenchmarksChoiceAndTheDefault() {
        // The file's comment says these are what the benchmark found best and the current defaults:
        // if the defaults change, change this example (and its comment) with them.
        JobSettings s = JobConfig.parse(Assets.framewiseYaml());
        assertEquals(FramewiseOptions.BATCH_MAX_SIZE.defaultValue(), s.batch().maxBatchSize());
        assertEquals(FramewiseOptions.BATCH_MAX_DELAY.defaultValue(), s.batch().maxBatchDelay());
        assertEquals(FramewiseOptions.BATCH_MAX_GAP.defaultValue(), s.batch().maxInputGap());
        assertEquals(4, s.batch().maxBatchSize());
        assertEquals(Duration.ofMillis(20), s.batch().maxBatchDelay());
        assertEquals(Duration.ofMillis(1), s.batch().maxInputGap());
    }

    @Test
    void oneInferenceThreadPerSlotAndTwoSlotsPerTaskManager() {
        // 2 slots x 1 ONNX Runtime thread: a TaskManager per 2 cores, as the benchmark found best.
        assertEquals(1, JobConfig.parse(Assets.framewiseYaml()).inferenceThreads());
        assertEquals(2, Assets.flinkConfiguration().get(TaskManagerOptions.NUM_TASK_SLOTS));
    }
}
