package dev.framewise.operators.inference;

import dev.framewise.schemas.DeadLetter;

/**
 * A loaded model in one parallel subtask: everything model-specific the batching operator needs.
 * It prepares each input into a slot of its batch buffer as the input arrives, runs the first
 * {@code n} slots as one batch, and turns a slot's output into a result. Batching, timers, metrics
 * and dead-letter routing belong to the operator. Not thread-safe: the operator calls it from the
 * task thread only.
 */
public interface InferenceSession<IN, OUT> extends AutoCloseable {

    /**
     * Prepares {@code input} into batch slot {@code slot}, or drops it on purpose (too old to be worth
     * classifying, say); a data error rejects it. A dropped input leaves the slot free.
     */
    Admission stage(int slot, IN input) throws RejectedInputException;

    /** Runs slots {@code 0..n-1} as one batch. A failure here is not a data error: it fails the job. */
    void run(int n) throws Exception;

    /** The result for slot {@code slot} of the last batch run. */
    OUT result(int slot, IN input, BatchTiming timing);

    /** The dead letter that records {@code input}, rejected for {@code why}. */
    DeadLetter deadLetter(IN input, RejectedInputException why);

    /** Frees the model and its buffers; called once, also after a failure. */
    @Override
    void close() throws Exception;
}
