package dev.framewise.operators.classify;

import java.io.Serializable;

/**
 * What the frame classifier needs besides batching.
 *
 * @param topK classes per result
 * @param maxPixels larger pictures are dead letters (IMAGE_TOO_LARGE), checked before decoding
 * @param intraOpThreads ONNX Runtime threads per session; 0 derives them from cores and slots
 */
public record ClassifierSettings(ModelSource model, int topK, long maxPixels, int intraOpThreads)
        implements Serializable {
    public ClassifierSettings {
        if (topK < 1) {
            throw new IllegalArgumentException("top-k must be at least 1, got " + topK);
        }
        if (maxPixels < 1) {
            throw new IllegalArgumentException("the pixel limit must be positive, got " + maxPixels);
        }
        if (intraOpThreads < 0) {
            throw new IllegalArgumentException("intra-op threads must be 0 (derive) or more, got " + intraOpThreads);
        }
    }
}
