package dev.framewise.model.onnx;

/** A named value in a graph under construction: a graph input, an initializer or a node output. */
public record Value(String name, ElemType type, Shape shape) {
    @Override
    public String toString() {
        return name + ":" + type.name().toLowerCase(java.util.Locale.ROOT) + shape;
    }
}
