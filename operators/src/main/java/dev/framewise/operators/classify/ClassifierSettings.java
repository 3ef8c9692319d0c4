package dev.framewise.operators.classify;

import java.io.Serializable;

/**
 * What the frame classifier needs besides batching.
 *
 * @param topK classes per result
 * @param maxPixels larger pictures are dead letters (IMAGE_TOO_LARGE), checked before decoding
 * @param jpegReducedSize decode JPEGs at a reduced size where the model's resize still fits
 * @param intraOpThreads ONNX Runtime threads per session; 0 derives them from cores and slots
 * @param maxH264Decoders H.264 cameras one subtask decodes at once; the least recently used is closed
 * @param freshness which frames to drop on purpose under overload
 */
public record ClassifierSettings(ModelSource model, int topK, long maxPixels, boolean jpegReducedSize, int intraOpThreads, int maxH264Decoders,
        FreshnessPolicy freshness) implements Serializable {
    public ClassifierSettings {
        if (topK < 1) {
            throw new IllegalArgumentException("top-k must be at least 1, got " + topK);
        }
        if (maxPixels < 1) {
            throw new IllegalArgumentException("the pixel limit must be positive, got " + maxPixels);
        }
        if (maxH264Decoders < 1) {
            throw new IllegalArgumentException("at least one H.264 decoder per subtask is needed, got " + maxH264Decoders);
        }
        if (intraOpThreads < 0) {
            throw new IllegalArgumentException("intra-op threads must be 0 (derive) or more, got " + intraOpThreads);
        }
    }
}
