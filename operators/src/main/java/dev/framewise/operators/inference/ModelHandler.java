package dev.framewise.operators.inference;

import java.io.Serializable;
import org.apache.flink.metrics.MetricGroup;

/**
 * Knows how to load a model and nothing else (Beam's ModelHandler is the model): shipped to every
 * subtask with the job graph, it opens one {@link InferenceSession} per subtask in the operator's
 * {@code open()}. Tests swap in a fake.
 */
public interface ModelHandler<IN, OUT> extends Serializable {

    /** Loads the model for one subtask. */
    InferenceSession<IN, OUT> open(SessionContext context) throws Exception;

    /**
     * What a session may need to know about where it runs.
     *
     * @param maxBatchSize the most inputs a batch will hold
     * @param slotsPerTaskManager task slots sharing this JVM's cores
     * @param cores processors available to this JVM
     * @param metrics the operator's metric group, for model-specific metrics
     */
    record SessionContext(int maxBatchSize, int subtaskIndex, int parallelism, int slotsPerTaskManager, int cores,
            MetricGroup metrics, ModelFiles files) {

        /** Intra-op threads for a session when none are configured: this slot's share of the cores. */
        public int defaultThreads() {
            return Math.max(1, cores / Math.max(1, slotsPerTaskManager));
        }
    }

    /** Resolves files the job shipped to the cluster (Flink's distributed cache) by name. */
    @FunctionalInterface
    interface ModelFiles {
        java.io.File get(String name);
    }
}
