package dev.framewise.model.weights;

import dev.framewise.model.tensor.Tensor;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The float tensors of a model under their canonical (timm) names, with where they came from: a
 * seed, or a checkpoint file and its SHA-256.
 */
public final class Weights {
    private final Map<String, Tensor> tensors;
    private final String source;
    private final String sha256;

    public Weights(Map<String, Tensor> tensors, String source, String sha256) {
        this.tensors = Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
        this.source = Objects.requireNonNull(source);
        this.sha256 = Objects.requireNonNull(sha256);
    }

    /** The tensor called {@code name}; fails if there is none. */
    public Tensor get(String name) {
        Tensor t = tensors.get(name);
        if (t == null) {
            throw new IllegalArgumentException("weights from " + source + " have no tensor " + name);
        }
        return t;
    }

    public Map<String, Tensor> tensors() {
        return tensors;
    }

    /** Where the weights came from, for people: {@code generated (seed 42)} or a file name and layout. */
    public String source() {
        return source;
    }

    /** SHA-256 of the checkpoint file, or of the generated tensors' bytes. */
    public String sha256() {
        return sha256;
    }
}
