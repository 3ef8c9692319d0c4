package dev.framewise.model.onnx;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The static shape of a value in a graph. Each dimension is either a fixed size or a named symbolic
 * size (the dynamic batch dimension, {@code "batch"}). Two symbolic dimensions are equal when their
 * names are equal.
 */
public final class Shape {
    /** A dimension: a fixed {@code value} ({@code >= 0}) or a symbolic {@code param}. */
    public record Dim(long value, String param) {
        public Dim {
            if (param == null && value < 0) {
                throw new IllegalArgumentException("a fixed dimension must be >= 0, got " + value);
            }
        }

        public static Dim of(long value) {
            return new Dim(value, null);
        }

        public static Dim symbolic(String name) {
            return new Dim(-1, Objects.requireNonNull(name));
        }

        public boolean isFixed() {
            return param == null;
        }

        @Override
        public String toString() {
            return isFixed() ? Long.toString(value) : param;
        }
    }

    private final List<Dim> dims;

    private Shape(List<Dim> dims) {
        this.dims = List.copyOf(dims);
    }

    public static Shape of(List<Dim> dims) {
        return new Shape(dims);
    }

    public static Shape of(long... dims) {
        List<Dim> list = new ArrayList<>(dims.length);
        for (long d : dims) {
            list.add(Dim.of(d));
        }
        return new Shape(list);
    }

    /** A shape whose first dimension is the symbolic batch, followed by fixed dimensions. */
    public static Shape batched(String batch, long... rest) {
        List<Dim> list = new ArrayList<>(rest.length + 1);
        list.add(Dim.symbolic(batch));
        for (long d : rest) {
            list.add(Dim.of(d));
        }
        return new Shape(list);
    }

    public int rank() {
        return dims.size();
    }

    public Dim dim(int axis) {
        return dims.get(normalizeAxis(axis));
    }

    public List<Dim> dims() {
        return dims;
    }

    /** The fixed size of {@code axis}; fails if it is symbolic. */
    public long size(int axis) {
        Dim d = dim(axis);
        if (!d.isFixed()) {
            throw new IllegalArgumentException("dimension " + axis + " of " + this + " is symbolic");
        }
        return d.value();
    }

    public int normalizeAxis(int axis) {
        int a = axis < 0 ? axis + dims.size() : axis;
        if (a < 0 || a >= dims.size()) {
            throw new IllegalArgumentException("axis " + axis + " is out of range for shape " + this);
        }
        return a;
    }

    /** The product of the fixed dimensions, leaving symbolic ones out. */
    public long fixedElementCount() {
        long n = 1;
        for (Dim d : dims) {
            if (d.isFixed()) {
                n = Math.multiplyExact(n, d.value());
            }
        }
        return n;
    }

    public boolean isFullyFixed() {
        return dims.stream().allMatch(Dim::isFixed);
    }

    public long[] fixedDims() {
        long[] out = new long[dims.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = size(i);
        }
        return out;
    }

    public Shape with(int axis, Dim dim) {
        List<Dim> list = new ArrayList<>(dims);
        list.set(normalizeAxis(axis), dim);
        return new Shape(list);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Shape s && s.dims.equals(dims);
    }

    @Override
    public int hashCode() {
        return dims.hashCode();
    }

    @Override
    public String toString() {
        return dims.toString();
    }

    static String format(long[] dims) {
        return Arrays.toString(dims);
    }
}
