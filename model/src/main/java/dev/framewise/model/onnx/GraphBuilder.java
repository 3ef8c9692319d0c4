package dev.framewise.model.onnx;

import com.google.protobuf.ByteString;
import dev.framewise.model.onnx.Shape.Dim;
import dev.framewise.model.onnx.proto.AttributeProto;
import dev.framewise.model.onnx.proto.GraphProto;
import dev.framewise.model.onnx.proto.ModelProto;
import dev.framewise.model.onnx.proto.NodeProto;
import dev.framewise.model.onnx.proto.OperatorSetIdProto;
import dev.framewise.model.onnx.proto.StringStringEntryProto;
import dev.framewise.model.onnx.proto.TensorProto;
import dev.framewise.model.onnx.proto.TensorShapeProto;
import dev.framewise.model.onnx.proto.TypeProto;
import dev.framewise.model.onnx.proto.ValueInfoProto;
import dev.framewise.model.tensor.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds an ONNX graph node by node, with the output shape of every node computed, and its inputs
 * checked, at the moment it is added: a wrong channel count or an unbroadcastable pair fails here,
 * naming the node, rather than later when ONNX Runtime loads the file.
 *
 * <p>Graphs target opset {@value #OPSET} (the first with {@code LayerNormalization}) and IR version
 * {@value #IR_VERSION}, which ONNX Runtime 1.28 reads. Every intermediate value is recorded in
 * {@code value_info} with its shape, so that tools (and {@link OnnxModelInfo}) can count MACs
 * without running shape inference.
 */
public final class GraphBuilder {
    public static final int OPSET = 17;
    public static final int IR_VERSION = 8;

    private final String graphName;
    private final List<NodeProto> nodes = new ArrayList<>();
    private final List<TensorProto> initializers = new ArrayList<>();
    private final List<ValueInfoProto> inputs = new ArrayList<>();
    private final List<ValueInfoProto> outputs = new ArrayList<>();
    private final List<ValueInfoProto> valueInfos = new ArrayList<>();
    private final Map<String, Value> values = new HashMap<>();
    private final Map<Float, Value> scalars = new HashMap<>();
    private final Map<String, Value> int64Constants = new HashMap<>();
    private String scope = "";
    private int counter;

    public GraphBuilder(String graphName) {
        this.graphName = graphName;
    }

    /** Names the nodes and values added from now on {@code scope/Op_n}, so the graph reads like the model. */
    public GraphBuilder scope(String scope) {
        this.scope = scope;
        return this;
    }

    // ---------------------------------------------------------------- inputs, outputs, initializers

    public Value input(String name, ElemType type, Shape shape) {
        Value v = register(new Value(name, type, shape));
        inputs.add(valueInfo(v));
        return v;
    }

    /** Exposes {@code value} as a graph output called {@code name}. */
    public Value output(Value value, String name) {
        Value out = node("Identity", List.of(value), name, value.type(), value.shape(), List.of(), false);
        outputs.add(valueInfo(out));
        return out;
    }

    public Value initializer(String name, Tensor tensor) {
        long[] dims = Arrays.stream(tensor.shape()).asLongStream().toArray();
        ByteBuffer buf = ByteBuffer.allocate(tensor.size() * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        buf.asFloatBuffer().put(tensor.data());
        TensorProto proto = TensorProto.newBuilder()
                .setName(name)
                .setDataType(ElemType.FLOAT.code())
                .addAllDims(toList(dims))
                .setRawData(ByteString.copyFrom(buf.array()))
                .build();
        Value v = register(new Value(name, ElemType.FLOAT, Shape.of(dims)));
        initializers.add(proto);
        return v;
    }

    /** A float scalar initializer; equal scalars are shared. */
    public Value scalar(float value) {
        return scalars.computeIfAbsent(value, f -> initializer(uniqueName("const"), Tensor.of(new float[] {f})));
    }

    private Value int64s(long... values) {
        String key = Arrays.toString(values);
        return int64Constants.computeIfAbsent(key, k -> {
            String name = uniqueName("shape");
            TensorProto proto = TensorProto.newBuilder()
                    .setName(name)
                    .setDataType(ElemType.INT64.code())
                    .addDims(values.length)
                    .addAllInt64Data(toList(values))
                    .build();
            initializers.add(proto);
            return register(new Value(name, ElemType.INT64, Shape.of(values.length)));
        });
    }

    // ---------------------------------------------------------------- operators

    /** 2-D convolution; {@code bias} may be null. Square kernels, symmetric padding. */
    public Value conv(Value x, Value weight, Value bias, int stride, int pad, int group) {
        requireRank(x, 4, "Conv input");
        requireRank(weight, 4, "Conv weight");
        long cin = x.shape().size(1);
        long cout = weight.shape().size(0);
        long kh = weight.shape().size(2);
        long kw = weight.shape().size(3);
        if (weight.shape().size(1) * group != cin) {
            throw shapeError("Conv", "weight " + weight + " with group " + group + " needs "
                    + weight.shape().size(1) * group + " input channels, input " + x + " has " + cin);
        }
        if (cout % group != 0) {
            throw shapeError("Conv", "output channels " + cout + " are not divisible by group " + group);
        }
        if (bias != null && !bias.shape().equals(Shape.of(cout))) {
            throw shapeError("Conv", "bias " + bias + " must have shape [" + cout + "]");
        }
        long h = outSize(x.shape().size(2), kh, stride, pad, "Conv");
        long w = outSize(x.shape().size(3), kw, stride, pad, "Conv");
        Shape out = Shape.of(List.of(x.shape().dim(0), Dim.of(cout), Dim.of(h), Dim.of(w)));
        List<Value> in = bias == null ? List.of(x, weight) : List.of(x, weight, bias);
        return node("Conv", in, null, ElemType.FLOAT, out, List.of(
                ints("kernel_shape", kh, kw),
                ints("strides", stride, stride),
                ints("pads", pad, pad, pad, pad),
                ints("dilations", 1, 1),
                integer("group", group)), true);
    }

    /** Average pooling; with {@code countIncludePad} false the padding is left out of each divisor. */
    public Value averagePool(Value x, int kernel, int stride, int pad, boolean countIncludePad) {
        requireRank(x, 4, "AveragePool input");
        long h = outSize(x.shape().size(2), kernel, stride, pad, "AveragePool");
        long w = outSize(x.shape().size(3), kernel, stride, pad, "AveragePool");
        Shape out = x.shape().with(2, Dim.of(h)).with(3, Dim.of(w));
        return node("AveragePool", List.of(x), null, x.type(), out, List.of(
                ints("kernel_shape", kernel, kernel),
                ints("strides", stride, stride),
                ints("pads", pad, pad, pad, pad),
                integer("count_include_pad", countIncludePad ? 1 : 0)), true);
    }

    public Value globalAveragePool(Value x) {
        requireRank(x, 4, "GlobalAveragePool input");
        Shape out = x.shape().with(2, Dim.of(1)).with(3, Dim.of(1));
        return node("GlobalAveragePool", List.of(x), null, x.type(), out, List.of(), true);
    }

    public Value relu(Value x) {
        return unary("Relu", x);
    }

    public Value erf(Value x) {
        return unary("Erf", x);
    }

    /** {@code min(max(x, min), max)}; ReLU6 is {@code clip(x, 0, 6)}. */
    public Value clip(Value x, float min, float max) {
        return node("Clip", List.of(x, scalar(min), scalar(max)), null, x.type(), x.shape(), List.of(), true);
    }

    /**
     * GELU in its exact form, {@code x * 0.5 * (1 + erf(x / sqrt 2))}, written as the pattern that
     * ONNX Runtime fuses into one Gelu kernel (opset 17 has no Gelu operator).
     */
    public Value gelu(Value x) {
        Value t = div(x, scalar((float) Math.sqrt(2.0)));
        t = erf(t);
        t = add(t, scalar(1.0f));
        t = mul(x, t);
        return mul(t, scalar(0.5f));
    }

    public Value add(Value a, Value b) {
        return binary("Add", a, b);
    }

    public Value sub(Value a, Value b) {
        return binary("Sub", a, b);
    }

    public Value mul(Value a, Value b) {
        return binary("Mul", a, b);
    }

    public Value div(Value a, Value b) {
        return binary("Div", a, b);
    }

    /** Matrix product with NumPy broadcasting over leading dimensions. */
    public Value matMul(Value a, Value b) {
        if (a.shape().rank() < 2 || b.shape().rank() < 2) {
            throw shapeError("MatMul", "operands must have rank >= 2: " + a + ", " + b);
        }
        Dim k1 = a.shape().dim(-1);
        Dim k2 = b.shape().dim(-2);
        if (!k1.equals(k2)) {
            throw shapeError("MatMul", "inner dimensions differ: " + a + " x " + b);
        }
        Shape batchA = Shape.of(a.shape().dims().subList(0, a.shape().rank() - 2));
        Shape batchB = Shape.of(b.shape().dims().subList(0, b.shape().rank() - 2));
        List<Dim> dims = new ArrayList<>(broadcast("MatMul", batchA, batchB).dims());
        dims.add(a.shape().dim(-2));
        dims.add(b.shape().dim(-1));
        return node("MatMul", List.of(a, b), null, ElemType.FLOAT, Shape.of(dims), List.of(), true);
    }

    /** {@code a @ w^T + bias} for a 2-D {@code a} [M, K], {@code w} [N, K], {@code bias} [N]. */
    public Value gemmTransB(Value a, Value w, Value bias) {
        requireRank(a, 2, "Gemm input");
        requireRank(w, 2, "Gemm weight");
        if (!a.shape().dim(1).equals(w.shape().dim(1))) {
            throw shapeError("Gemm", "input " + a + " and transposed weight " + w + " do not chain");
        }
        if (!bias.shape().equals(Shape.of(w.shape().size(0)))) {
            throw shapeError("Gemm", "bias " + bias + " must have shape [" + w.shape().size(0) + "]");
        }
        Shape out = Shape.of(List.of(a.shape().dim(0), w.shape().dim(0)));
        return node("Gemm", List.of(a, w, bias), null, ElemType.FLOAT, out, List.of(integer("transB", 1)), true);
    }

    /** LayerNormalization over the last axis. */
    public Value layerNorm(Value x, Value scale, Value bias, float epsilon) {
        Shape normalized = Shape.of(List.of(x.shape().dim(-1)));
        if (!scale.shape().equals(normalized) || !bias.shape().equals(normalized)) {
            throw shapeError("LayerNormalization", "scale " + scale + " and bias " + bias
                    + " must have shape " + normalized + " to normalize " + x);
        }
        return node("LayerNormalization", List.of(x, scale, bias), null, x.type(), x.shape(), List.of(
                integer("axis", -1),
                floatAttr("epsilon", epsilon)), true);
    }

    public Value softmax(Value x, int axis) {
        x.shape().normalizeAxis(axis);
        return node("Softmax", List.of(x), null, x.type(), x.shape(), List.of(integer("axis", axis)), true);
    }

    /** Mean over {@code axis}, dropping it. */
    public Value reduceMean(Value x, int axis) {
        int a = x.shape().normalizeAxis(axis);
        List<Dim> dims = new ArrayList<>(x.shape().dims());
        dims.remove(a);
        return node("ReduceMean", List.of(x), null, x.type(), Shape.of(dims), List.of(
                ints("axes", a),
                integer("keepdims", 0)), true);
    }

    /**
     * Reshape with ONNX's conventions: 0 copies the input's dimension at that position (this keeps
     * the symbolic batch), -1 takes what is left.
     */
    public Value reshape(Value x, long... target) {
        List<Dim> in = x.shape().dims();
        Dim[] out = new Dim[target.length];
        int inferAt = -1;
        long knownOut = 1;
        List<Dim> copiedSymbolic = new ArrayList<>();
        for (int i = 0; i < target.length; i++) {
            long t = target[i];
            if (t == 0) {
                if (i >= in.size()) {
                    throw shapeError("Reshape", "0 at position " + i + " but input " + x + " has rank " + in.size());
                }
                out[i] = in.get(i);
                if (out[i].isFixed()) {
                    knownOut *= out[i].value();
                } else {
                    copiedSymbolic.add(out[i]);
                }
            } else if (t == -1) {
                if (inferAt >= 0) {
                    throw shapeError("Reshape", "more than one -1 in " + Arrays.toString(target));
                }
                inferAt = i;
            } else if (t > 0) {
                out[i] = Dim.of(t);
                knownOut *= t;
            } else {
                throw shapeError("Reshape", "invalid target dimension " + t);
            }
        }
        List<Dim> inSymbolic = in.stream().filter(d -> !d.isFixed()).toList();
        if (!inSymbolic.equals(copiedSymbolic)) {
            throw shapeError("Reshape", "symbolic dimensions of " + x + " must be kept in place with 0: "
                    + Arrays.toString(target));
        }
        long inFixed = x.shape().fixedElementCount();
        if (inferAt >= 0) {
            if (knownOut == 0 || inFixed % knownOut != 0) {
                throw shapeError("Reshape", "cannot reshape " + x + " to " + Arrays.toString(target));
            }
            out[inferAt] = Dim.of(inFixed / knownOut);
        } else if (knownOut != inFixed) {
            throw shapeError("Reshape", x + " has " + inFixed + " elements per batch item, target "
                    + Arrays.toString(target) + " has " + knownOut);
        }
        return node("Reshape", List.of(x, int64s(target)), null, x.type(), Shape.of(Arrays.asList(out)),
                List.of(), true);
    }

    public Value transpose(Value x, int... perm) {
        if (perm.length != x.shape().rank()) {
            throw shapeError("Transpose", "permutation " + Arrays.toString(perm) + " does not fit " + x);
        }
        boolean[] seen = new boolean[perm.length];
        List<Dim> dims = new ArrayList<>();
        for (int p : perm) {
            if (p < 0 || p >= perm.length || seen[p]) {
                throw shapeError("Transpose", "invalid permutation " + Arrays.toString(perm));
            }
            seen[p] = true;
            dims.add(x.shape().dim(p));
        }
        long[] permL = Arrays.stream(perm).asLongStream().toArray();
        return node("Transpose", List.of(x), null, x.type(), Shape.of(dims), List.of(ints("perm", permL)), true);
    }

    /** Splits {@code axis} into consecutive parts of the given sizes. */
    public Value[] split(Value x, int axis, long... sizes) {
        int a = x.shape().normalizeAxis(axis);
        long total = x.shape().size(a);
        if (Arrays.stream(sizes).sum() != total) {
            throw shapeError("Split", "sizes " + Arrays.toString(sizes) + " do not add up to " + total + " of " + x);
        }
        String nodeName = uniqueName("Split");
        NodeProto.Builder node = NodeProto.newBuilder().setOpType("Split").setName(nodeName)
                .addInput(x.name()).addInput(int64s(sizes).name())
                .addAttribute(integer("axis", a));
        Value[] outs = new Value[sizes.length];
        for (int i = 0; i < sizes.length; i++) {
            outs[i] = register(new Value(nodeName + ":" + i, x.type(), x.shape().with(a, Dim.of(sizes[i]))));
            node.addOutput(outs[i].name());
            valueInfos.add(valueInfo(outs[i]));
        }
        requireKnown(x);
        nodes.add(node.build());
        return outs;
    }

    /** Flattens to 2-D: dimensions before {@code axis} into the first, the rest into the second. */
    public Value flatten(Value x, int axis) {
        List<Dim> dims = x.shape().dims();
        if (axis != 1 || dims.subList(1, dims.size()).stream().anyMatch(d -> !d.isFixed())) {
            throw shapeError("Flatten", "only axis 1 with fixed trailing dimensions is supported: " + x);
        }
        long rest = 1;
        for (Dim d : dims.subList(1, dims.size())) {
            rest *= d.value();
        }
        Shape out = Shape.of(List.of(dims.get(0), Dim.of(rest)));
        return node("Flatten", List.of(x), null, x.type(), out, List.of(integer("axis", axis)), true);
    }

    // ---------------------------------------------------------------- the model

    /** The finished model, with {@code metadata} as {@code metadata_props}. */
    public ModelProto toModel(Map<String, String> metadata, String producerVersion, String docString) {
        if (outputs.isEmpty()) {
            throw new IllegalStateException("graph " + graphName + " has no output");
        }
        GraphProto graph = GraphProto.newBuilder()
                .setName(graphName)
                .addAllNode(nodes)
                .addAllInitializer(initializers)
                .addAllInput(inputs)
                .addAllOutput(outputs)
                .addAllValueInfo(valueInfos)
                .build();
        ModelProto.Builder model = ModelProto.newBuilder()
                .setIrVersion(IR_VERSION)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET))
                .setProducerName("framewise")
                .setProducerVersion(producerVersion)
                .setDocString(docString)
                .setGraph(graph);
        for (Map.Entry<String, String> e : new LinkedHashMap<>(metadata).entrySet()) {
            model.addMetadataProps(StringStringEntryProto.newBuilder().setKey(e.getKey()).setValue(e.getValue()));
        }
        return model.build();
    }

    // ---------------------------------------------------------------- internals

    private Value unary(String op, Value x) {
        return node(op, List.of(x), null, x.type(), x.shape(), List.of(), true);
    }

    private Value binary(String op, Value a, Value b) {
        if (a.type() != b.type()) {
            throw shapeError(op, "element types differ: " + a + ", " + b);
        }
        return node(op, List.of(a, b), null, a.type(), broadcast(op, a.shape(), b.shape()), List.of(), true);
    }

    private Shape broadcast(String op, Shape a, Shape b) {
        int rank = Math.max(a.rank(), b.rank());
        Dim[] out = new Dim[rank];
        for (int i = 0; i < rank; i++) {
            int ia = a.rank() - rank + i;
            int ib = b.rank() - rank + i;
            Dim da = ia >= 0 ? a.dims().get(ia) : Dim.of(1);
            Dim db = ib >= 0 ? b.dims().get(ib) : Dim.of(1);
            if (da.equals(db) || isOne(db)) {
                out[i] = da;
            } else if (isOne(da)) {
                out[i] = db;
            } else {
                throw shapeError(op, "shapes " + a + " and " + b + " do not broadcast");
            }
        }
        return Shape.of(Arrays.asList(out));
    }

    private static boolean isOne(Dim d) {
        return d.isFixed() && d.value() == 1;
    }

    private Value node(String op, List<Value> in, String outputName, ElemType type, Shape shape,
            List<AttributeProto> attributes, boolean recordValueInfo) {
        for (Value v : in) {
            requireKnown(v);
        }
        String nodeName = uniqueName(op);
        Value out = register(new Value(outputName != null ? outputName : nodeName, type, shape));
        NodeProto.Builder node = NodeProto.newBuilder().setOpType(op).setName(nodeName).addOutput(out.name());
        in.forEach(v -> node.addInput(v.name()));
        node.addAllAttribute(attributes);
        nodes.add(node.build());
        if (recordValueInfo) {
            valueInfos.add(valueInfo(out));
        }
        return out;
    }

    private void requireKnown(Value v) {
        if (values.get(v.name()) != v) {
            throw new IllegalArgumentException("value " + v + " does not belong to graph " + graphName);
        }
    }

    private Value register(Value v) {
        if (values.putIfAbsent(v.name(), v) != null) {
            throw new IllegalArgumentException("graph " + graphName + " already has a value named " + v.name());
        }
        return v;
    }

    private String uniqueName(String op) {
        counter++;
        return scope.isEmpty() ? op + "_" + counter : scope + "/" + op + "_" + counter;
    }

    private IllegalArgumentException shapeError(String op, String message) {
        String where = scope.isEmpty() ? "" : " in " + scope;
        return new IllegalArgumentException(op + where + ": " + message);
    }

    private void requireRank(Value v, int rank, String what) {
        if (v.shape().rank() != rank) {
            throw shapeError(what.split(" ")[0], what + " must have rank " + rank + ": " + v);
        }
    }

    private long outSize(long in, long kernel, int stride, int pad, String op) {
        long numerator = in + 2L * pad - kernel;
        if (numerator < 0 || stride <= 0) {
            throw shapeError(op, "kernel " + kernel + " with padding " + pad + " does not fit input size " + in);
        }
        return numerator / stride + 1;
    }

    private static ValueInfoProto valueInfo(Value v) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        for (Dim d : v.shape().dims()) {
            shape.addDim(d.isFixed()
                    ? TensorShapeProto.Dimension.newBuilder().setDimValue(d.value())
                    : TensorShapeProto.Dimension.newBuilder().setDimParam(d.param()));
        }
        return ValueInfoProto.newBuilder()
                .setName(v.name())
                .setType(TypeProto.newBuilder().setTensorType(
                        TypeProto.Tensor.newBuilder().setElemType(v.type().code()).setShape(shape)))
                .build();
    }

    private static AttributeProto ints(String name, long... values) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS)
                .addAllInts(toList(values)).build();
    }

    private static AttributeProto integer(String name, long value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(value).build();
    }

    private static AttributeProto floatAttr(String name, float value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.FLOAT).setF(value).build();
    }

    private static List<Long> toList(long[] values) {
        return Arrays.stream(values).boxed().toList();
    }
}
