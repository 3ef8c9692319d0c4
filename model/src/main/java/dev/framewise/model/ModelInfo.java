package dev.framewise.model;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.framewise.model.onnx.ElemType;
import dev.framewise.model.onnx.proto.GraphProto;
import dev.framewise.model.onnx.proto.ModelProto;
import dev.framewise.model.onnx.proto.NodeProto;
import dev.framewise.model.onnx.proto.OperatorSetIdProto;
import dev.framewise.model.onnx.proto.StringStringEntryProto;
import dev.framewise.model.onnx.proto.TensorProto;
import dev.framewise.model.onnx.proto.TensorShapeProto;
import dev.framewise.model.onnx.proto.ValueInfoProto;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * What an ONNX model file says about itself: its Framewise metadata, its inputs and outputs, and
 * what its graph actually holds (parameters after folding, and MACs counted from the shapes the
 * graph records).
 */
public record ModelInfo(
        Path file,
        long irVersion,
        long opset,
        String producer,
        String inputName,
        String inputType,
        List<String> inputShape,
        String outputName,
        List<String> outputShape,
        long graphParameters,
        OptionalLong graphMacs,
        Map<String, String> metadata) {

    /** Reads {@code file}; fails with {@link InvalidModelException} if it is not an ONNX model. */
    public static ModelInfo read(Path file) {
        ModelProto model = load(file);
        GraphProto g = model.getGraph();
        if (g.getInputCount() == 0 || g.getOutputCount() == 0) {
            throw new InvalidModelException(file + " is not a usable ONNX model: its graph has no inputs or outputs");
        }
        long opset = model.getOpsetImportList().stream()
                .filter(o -> o.getDomain().isEmpty() || o.getDomain().equals("ai.onnx"))
                .mapToLong(OperatorSetIdProto::getVersion).max().orElse(0);
        Map<String, String> metadata = new LinkedHashMap<>();
        for (StringStringEntryProto e : model.getMetadataPropsList()) {
            metadata.put(e.getKey(), e.getValue());
        }
        List<String> initializerNames = g.getInitializerList().stream().map(TensorProto::getName).toList();
        ValueInfoProto input = g.getInputList().stream()
                .filter(v -> !initializerNames.contains(v.getName())).findFirst().orElse(g.getInput(0));
        ValueInfoProto output = g.getOutput(0);
        String producer = (model.getProducerName() + " " + model.getProducerVersion()).strip();
        return new ModelInfo(file, model.getIrVersion(), opset, producer, input.getName(),
                ElemType.name(input.getType().getTensorType().getElemType()), dims(input), output.getName(),
                dims(output), parameters(g), macs(g), metadata);
    }

    /** Parses an ONNX file into the subset Framewise knows; fields it does not know are kept as unknown. */
    public static ModelProto load(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            CodedInputStream cis = CodedInputStream.newInstance(in);
            cis.setSizeLimit(Integer.MAX_VALUE);
            return ModelProto.parseFrom(cis);
        } catch (NoSuchFileException e) {
            throw new InvalidModelException("cannot read model " + file + ": no such file");
        } catch (InvalidProtocolBufferException e) {
            throw new InvalidModelException(file + " is not an ONNX model (truncated or not protobuf: "
                    + e.getMessage() + ")");
        } catch (IOException e) {
            throw new InvalidModelException("cannot read model " + file + ": " + e.getMessage(), e);
        }
    }

    /** The metadata Framewise feeds the model by; fails naming the missing or malformed key. */
    public ModelMetadata frameworkMetadata() {
        return ModelMetadata.fromProperties(metadata);
    }

    /** The unfolded architecture's parameter count from metadata, if the model carries it. */
    public OptionalLong parameters() {
        String v = metadata.get(ModelMetadata.PARAMETERS);
        return v == null ? OptionalLong.empty() : OptionalLong.of(Long.parseLong(v));
    }

    public OptionalLong macs() {
        String v = metadata.get(ModelMetadata.MACS);
        return v == null ? OptionalLong.empty() : OptionalLong.of(Long.parseLong(v));
    }

    public String arch() {
        return metadata.get(ModelMetadata.ARCH);
    }

    /** The number of classes: the output's last dimension. */
    public OptionalLong numClasses() {
        if (outputShape.isEmpty()) {
            return OptionalLong.empty();
        }
        try {
            return OptionalLong.of(Long.parseLong(outputShape.get(outputShape.size() - 1)));
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    private static List<String> dims(ValueInfoProto v) {
        List<String> out = new ArrayList<>();
        for (TensorShapeProto.Dimension d : v.getType().getTensorType().getShape().getDimList()) {
            out.add(d.hasDimValue() ? Long.toString(d.getDimValue()) : d.hasDimParam() ? d.getDimParam() : "?");
        }
        return out;
    }

    private static long parameters(GraphProto g) {
        long n = 0;
        for (TensorProto t : g.getInitializerList()) {
            int type = t.getDataType();
            boolean floating = type == TensorProto.DataType.FLOAT_VALUE || type == TensorProto.DataType.FLOAT16_VALUE
                    || type == TensorProto.DataType.DOUBLE_VALUE || type == TensorProto.DataType.BFLOAT16_VALUE;
            if (floating) {
                n += t.getDimsList().stream().reduce(1L, Math::multiplyExact);
            }
        }
        return n;
    }

    /**
     * MACs per batch item of Conv, MatMul and Gemm nodes, from the shapes in the graph's inputs,
     * outputs, value_info and initializers; empty if a shape is not recorded.
     */
    private static OptionalLong macs(GraphProto g) {
        Map<String, List<Long>> shapes = new HashMap<>();
        List<ValueInfoProto> infos = new ArrayList<>(g.getInputList());
        infos.addAll(g.getOutputList());
        infos.addAll(g.getValueInfoList());
        for (ValueInfoProto v : infos) {
            List<Long> dims = new ArrayList<>();
            for (TensorShapeProto.Dimension d : v.getType().getTensorType().getShape().getDimList()) {
                dims.add(d.hasDimValue() ? d.getDimValue() : -1L);
            }
            shapes.put(v.getName(), dims);
        }
        for (TensorProto t : g.getInitializerList()) {
            shapes.put(t.getName(), t.getDimsList());
        }
        long total = 0;
        for (NodeProto n : g.getNodeList()) {
            switch (n.getOpType()) {
                case "Conv" -> {
                    List<Long> out = shapes.get(n.getOutput(0));
                    List<Long> w = shapes.get(n.getInput(1));
                    if (out == null || w == null) {
                        return OptionalLong.empty();
                    }
                    total += perItem(out) * w.get(1) * w.get(2) * w.get(3);
                }
                case "MatMul" -> {
                    List<Long> out = shapes.get(n.getOutput(0));
                    List<Long> a = shapes.get(n.getInput(0));
                    if (out == null || a == null || a.get(a.size() - 1) < 0) {
                        return OptionalLong.empty();
                    }
                    total += perItem(out) * a.get(a.size() - 1);
                }
                case "Gemm" -> {
                    List<Long> out = shapes.get(n.getOutput(0));
                    List<Long> a = shapes.get(n.getInput(0));
                    boolean transA = n.getAttributeList().stream().anyMatch(x -> x.getName().equals("transA") && x.getI() == 1);
                    if (out == null || a == null) {
                        return OptionalLong.empty();
                    }
                    long k = transA ? a.get(0) : a.get(1);
                    if (k < 0) {
                        return OptionalLong.empty();
                    }
                    total += perItem(out) * k;
                }
                default -> {
                }
            }
        }
        return OptionalLong.of(total);
    }

    /** Elements of a shape, leaving out symbolic (batch) dimensions. */
    private static long perItem(List<Long> shape) {
        long n = 1;
        for (long d : shape) {
            if (d >= 0) {
                n *= d;
            }
        }
        return n;
    }
}
