package dev.framewise.operators.inference;

/**
 * Where one input's time went inside the batching operator, in nanoseconds.
 *
 * @param stageNanos preparing the input (decoding and preprocessing a frame)
 * @param queueNanos from the end of staging until its batch started
 * @param inferenceNanos running the whole batch
 * @param batchSize inputs in the batch
 */
public record BatchTiming(long stageNanos, long queueNanos, long inferenceNanos, int batchSize) {
}
