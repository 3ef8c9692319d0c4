package dev.framewise.model.arch;

import java.util.Arrays;

/**
 * One entry of an architecture's state dict, under its canonical (timm) name.
 *
 * @param gain for weights, the factor over {@code 1/sqrt(fan_in)} that generated weights use
 *     (sqrt 2 before a rectifier, 1 elsewhere); unused for other roles
 */
public record ParamSpec(String name, int[] shape, Role role, double gain) {

    /** What an entry is for: decides whether it is learned, optional, and how it is generated. */
    public enum Role {
        CONV_WEIGHT, LINEAR_WEIGHT, BIAS,
        BN_WEIGHT, BN_BIAS, BN_MEAN, BN_VAR, BN_COUNT,
        LN_WEIGHT, LN_BIAS, LAYER_SCALE,
        ATTENTION_BIASES, ATTENTION_BIAS_IDXS;

        /** Counted as a parameter (what {@code model.parameters()} yields in PyTorch). */
        public boolean learnable() {
            return this != BN_MEAN && this != BN_VAR && this != BN_COUNT && this != ATTENTION_BIAS_IDXS;
        }

        /**
         * Integer buffers that carry no information the graph needs: a checkpoint may hold them or
         * not, and when it does they are checked (shape, and for the index its values).
         */
        public boolean optional() {
            return this == BN_COUNT || this == ATTENTION_BIAS_IDXS;
        }
    }

    public ParamSpec {
        shape = shape.clone();
    }

    public long elementCount() {
        long n = 1;
        for (int d : shape) {
            n *= d;
        }
        return n;
    }

    @Override
    public int[] shape() {
        return shape.clone();
    }

    public String shapeString() {
        return Arrays.toString(shape);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ParamSpec p && p.name.equals(name) && Arrays.equals(p.shape, shape)
                && p.role == role && p.gain == gain;
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + Arrays.hashCode(shape);
    }

    @Override
    public String toString() {
        return name + shapeString();
    }
}
