package dev.framewise.model;

import dev.framewise.model.arch.Architecture;
import dev.framewise.model.arch.ParamSpec;
import dev.framewise.model.onnx.ElemType;
import dev.framewise.model.onnx.GraphBuilder;
import dev.framewise.model.onnx.Shape;
import dev.framewise.model.onnx.Value;
import dev.framewise.model.onnx.proto.ModelProto;
import dev.framewise.model.tensor.Tensor;
import dev.framewise.model.weights.Weights;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/** Turns an architecture and its weights into an ONNX classifier with Framewise metadata. */
public final class ModelBuilder {
    public static final String INPUT = "input";
    public static final String OUTPUT = "logits";
    public static final String BATCH = "batch";

    private ModelBuilder() {
    }

    /** The model, labelled with ImageNet-1k for 1000 classes and {@code class_<i>} otherwise. */
    public static ModelProto build(Architecture arch, Weights weights) {
        if (arch.numClasses() == 1000) {
            return build(arch, weights, Labels.IMAGENET_1K, Labels.imagenet1k());
        }
        List<String> labels = new ArrayList<>();
        for (int i = 0; i < arch.numClasses(); i++) {
            labels.add("class_" + i);
        }
        return build(arch, weights, null, labels);
    }

    public static ModelProto build(Architecture arch, Weights weights, String labelSet, List<String> labels) {
        if (labels.size() != arch.numClasses()) {
            throw new IllegalArgumentException(arch.id() + " has " + arch.numClasses() + " classes but "
                    + labels.size() + " labels were given");
        }
        requireShapes(arch, weights);
        int size = arch.preprocessing().inputSize();
        GraphBuilder g = new GraphBuilder(arch.id().replace('-', '_'));
        Value input = g.input(INPUT, ElemType.FLOAT, Shape.batched(BATCH, 3, size, size));
        Value logits = arch.buildGraph(g, input, weights);
        g.scope("");
        g.output(logits, OUTPUT);
        ModelMetadata metadata = new ModelMetadata(arch.id(), arch.family(), arch.variant(),
                OptionalLong.of(arch.parameterCount()), OptionalLong.of(arch.macs()), arch.preprocessing(),
                labelSet, labels, weights.source(), weights.sha256());
        String doc = arch + ", weights " + weights.source() + ". Built by Framewise; batch norm, layer scales,"
                + " twin heads and attention biases folded for inference.";
        return g.toModel(metadata.toProperties(), version(), doc);
    }

    /** Writes {@code model} to {@code out} through a temporary file, so a reader never sees half a model. */
    public static void write(ModelProto model, Path out) throws IOException {
        Path dir = out.toAbsolutePath().getParent();
        if (dir != null) {
            Files.createDirectories(dir);
        }
        Path tmp = Files.createTempFile(dir, "." + out.getFileName(), ".tmp");
        try {
            try (OutputStream os = Files.newOutputStream(tmp)) {
                model.writeTo(os);
            }
            try {
                Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Framewise's version, from the jar manifest; {@code dev} when run from classes. */
    public static String version() {
        String v = ModelBuilder.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }

    private static void requireShapes(Architecture arch, Weights weights) {
        for (ParamSpec p : arch.parameters()) {
            if (p.role().optional()) {
                continue;
            }
            Tensor t = weights.tensors().get(p.name());
            if (t == null) {
                throw new IllegalArgumentException("weights from " + weights.source() + " lack " + p.name()
                        + " " + p.shapeString() + " of " + arch.id());
            }
            if (!t.hasShape(p.shape())) {
                throw new IllegalArgumentException("weights from " + weights.source() + ": " + p.name() + " has shape "
                        + t.shapeString() + ", " + arch.id() + " expects " + p.shapeString());
            }
        }
    }
}
