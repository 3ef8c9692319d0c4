package dev.framewise.operators.classify;

import java.nio.FloatBuffer;

/**
 * The k most probable classes of one row of logits, with softmax probabilities. Reuses its arrays:
 * one instance per session, not thread-safe.
 */
final class TopK {
    private final int k;
    private final int[] index;
    private final float[] logit;
    private float max;
    private double sum;

    TopK(int k, int classes) {
        this.k = Math.min(k, classes);
        this.index = new int[this.k];
        this.logit = new float[this.k];
    }

    int size() {
        return k;
    }

    /** Selects the top k of {@code logits[from, from + classes)}, read with absolute gets. */
    void select(FloatBuffer logits, int from, int classes) {
        int filled = 0;
        max = Float.NEGATIVE_INFINITY;
        for (int c = 0; c < classes; c++) {
            float v = logits.get(from + c);
            max = Math.max(max, v);
            if (filled < k || v > logit[k - 1]) {
                int pos = filled < k ? filled++ : k - 1;
                // Insert into the sorted list; on ties the lower class index stays first.
                while (pos > 0 && logit[pos - 1] < v) {
                    logit[pos] = logit[pos - 1];
                    index[pos] = index[pos - 1];
                    pos--;
                }
                logit[pos] = v;
                index[pos] = c;
            }
        }
        sum = 0;
        for (int c = 0; c < classes; c++) {
            sum += Math.exp(logits.get(from + c) - max);
        }
    }

    /** The class at {@code rank} (0 = most probable) of the last selection. */
    int index(int rank) {
        return index[rank];
    }

    /** Its softmax probability over all classes. */
    float probability(int rank) {
        return (float) (Math.exp(logit[rank] - max) / sum);
    }
}
