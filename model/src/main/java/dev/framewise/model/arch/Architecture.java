package dev.framewise.model.arch;

import dev.framewise.model.Preprocessing;
import dev.framewise.model.onnx.GraphBuilder;
import dev.framewise.model.onnx.Value;
import dev.framewise.model.weights.Weights;
import java.util.List;

/**
 * An image classifier that Framewise can write as an ONNX graph: its state-dict entries (under
 * timm's names), its cost, the checkpoint layouts it imports, and the folded inference graph.
 */
public sealed interface Architecture permits EfficientFormer, MobileNetV2 {

    /** The name used on the command line and in metadata, e.g. {@code efficientformer-l1}. */
    String id();

    /** {@code efficientformer} or {@code mobilenetv2}. */
    String family();

    /** {@code l1}, {@code l3}, {@code l7}, {@code 100}, or the name of a custom configuration. */
    String variant();

    int numClasses();

    /** Preprocessing the published weights were trained and evaluated with. */
    Preprocessing preprocessing();

    /** Every state-dict entry, canonical names, in PyTorch's order. */
    List<ParamSpec> parameters();

    /** Learned parameters of the unfolded architecture, as PyTorch counts them. */
    default long parameterCount() {
        return parameters().stream().filter(p -> p.role().learnable()).mapToLong(ParamSpec::elementCount).sum();
    }

    /**
     * Multiply-accumulates of one image through the unfolded architecture: convolutions, linear
     * layers (both heads, where there are two) and the attention matrix products.
     */
    long macs();

    /** Checkpoint key layouts this architecture imports; the first is the canonical one. */
    List<KeyLayout> keyLayouts();

    /**
     * Adds the inference graph, with batch norm, layer scales and twin heads folded, from {@code
     * input} [N, 3, S, S] to logits [N, numClasses].
     */
    Value buildGraph(GraphBuilder graph, Value input, Weights weights);
}
