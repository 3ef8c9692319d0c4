package dev.framewise.model.arch;

import dev.framewise.model.arch.ParamSpec.Role;
import java.util.ArrayList;
import java.util.List;

/** Collects the state-dict entries of an architecture in PyTorch's registration order. */
final class ParamList {
    static final double RELU_GAIN = Math.sqrt(2.0);

    private final List<ParamSpec> specs = new ArrayList<>();

    ParamList conv(String prefix, int out, int inPerGroup, int kernel, boolean bias, double gain) {
        specs.add(new ParamSpec(prefix + ".weight", new int[] {out, inPerGroup, kernel, kernel}, Role.CONV_WEIGHT, gain));
        if (bias) {
            specs.add(new ParamSpec(prefix + ".bias", new int[] {out}, Role.BIAS, 0));
        }
        return this;
    }

    ParamList batchNorm(String prefix, int channels) {
        specs.add(new ParamSpec(prefix + ".weight", new int[] {channels}, Role.BN_WEIGHT, 0));
        specs.add(new ParamSpec(prefix + ".bias", new int[] {channels}, Role.BN_BIAS, 0));
        specs.add(new ParamSpec(prefix + ".running_mean", new int[] {channels}, Role.BN_MEAN, 0));
        specs.add(new ParamSpec(prefix + ".running_var", new int[] {channels}, Role.BN_VAR, 0));
        specs.add(new ParamSpec(prefix + ".num_batches_tracked", new int[0], Role.BN_COUNT, 0));
        return this;
    }

    ParamList linear(String prefix, int out, int in, double gain) {
        specs.add(new ParamSpec(prefix + ".weight", new int[] {out, in}, Role.LINEAR_WEIGHT, gain));
        specs.add(new ParamSpec(prefix + ".bias", new int[] {out}, Role.BIAS, 0));
        return this;
    }

    ParamList layerNorm(String prefix, int channels) {
        specs.add(new ParamSpec(prefix + ".weight", new int[] {channels}, Role.LN_WEIGHT, 0));
        specs.add(new ParamSpec(prefix + ".bias", new int[] {channels}, Role.LN_BIAS, 0));
        return this;
    }

    ParamList add(String name, Role role, int... shape) {
        specs.add(new ParamSpec(name, shape, role, 0));
        return this;
    }

    List<ParamSpec> build() {
        return List.copyOf(specs);
    }
}
