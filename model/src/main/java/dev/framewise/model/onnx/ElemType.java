package dev.framewise.model.onnx;

import dev.framewise.model.onnx.proto.TensorProto;

/** Element types of the values Framewise graphs carry, with their ONNX {@code DataType} codes. */
public enum ElemType {
    FLOAT(TensorProto.DataType.FLOAT),
    INT64(TensorProto.DataType.INT64);

    private final TensorProto.DataType onnx;

    ElemType(TensorProto.DataType onnx) {
        this.onnx = onnx;
    }

    public int code() {
        return onnx.getNumber();
    }

    public static String name(int code) {
        TensorProto.DataType t = TensorProto.DataType.forNumber(code);
        return t == null ? "type " + code : t.name().toLowerCase(java.util.Locale.ROOT);
    }
}
