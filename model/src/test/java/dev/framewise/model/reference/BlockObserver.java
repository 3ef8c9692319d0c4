package dev.framewise.model.reference;

/** Sees each block's input and output in a reference forward pass. */
@FunctionalInterface
public interface BlockObserver {
    BlockObserver NONE = (name, in, out) -> { };

    void block(String name, float[] input, float[] output);
}
