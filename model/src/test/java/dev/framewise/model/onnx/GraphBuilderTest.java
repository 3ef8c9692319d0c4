package dev.framewise.model.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.framewise.model.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** Shapes are computed and checked as nodes are added, with errors naming the node's place. */
class GraphBuilderTest {
    private final GraphBuilder g = new GraphBuilder("test");
    private final Value image = g.input("input", ElemType.FLOAT, Shape.batched("batch", 3, 224, 224));

    @Test
    void convolutionComputesItsOutputShape() {
        Value w = g.initializer("w", Tensor.zeros(24, 3, 3, 3));
        Value b = g.initializer("b", Tensor.zeros(24));
        Value y = g.conv(image, w, b, 2, 1, 1);
        assertEquals(Shape.batched("batch", 24, 112, 112), y.shape());
        Value dw = g.conv(y, g.initializer("dw", Tensor.zeros(24, 1, 3, 3)), null, 1, 1, 24);
        assertEquals(Shape.batched("batch", 24, 112, 112), dw.shape());
    }

    @Test
    void wrongChannelCountFailsAtTheNode() {
        g.scope("stages.0.blocks.1");
        Value w = g.initializer("w", Tensor.zeros(24, 4, 3, 3));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> g.conv(image, w, null, 1, 1, 1));
        assertEquals("Conv in stages.0.blocks.1: weight w:float[24, 4, 3, 3] with group 1 needs 4 input channels,"
                + " input input:float[batch, 3, 224, 224] has 3", e.getMessage());
    }

    @Test
    void broadcastingIsChecked() {
        Value scale = g.initializer("s", Tensor.zeros(1, 3, 1, 1));
        assertEquals(image.shape(), g.mul(image, scale).shape());
        Value bad = g.initializer("bad", Tensor.zeros(1, 4, 1, 1));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> g.add(image, bad));
        assertEquals("Add: shapes [batch, 3, 224, 224] and [1, 4, 1, 1] do not broadcast", e.getMessage());
    }

    @Test
    void reshapeKeepsTheSymbolicBatchAndChecksElementCounts() {
        Value tokens = g.reshape(image, 0, 3, -1);
        assertEquals(Shape.batched("batch", 3, 224 * 224), tokens.shape());
        assertThrows(IllegalArgumentException.class, () -> g.reshape(image, 0, 5, -1));
        assertThrows(IllegalArgumentException.class, () -> g.reshape(image, 3, -1), "batch must stay in place");
    }

    @Test
    void matMulAndSplitAndTranspose() {
        Value tokens = g.transpose(g.reshape(image, 0, 3, -1), 0, 2, 1);
        Value w = g.initializer("w", Tensor.zeros(3, 10));
        Value y = g.matMul(tokens, w);
        assertEquals(Shape.batched("batch", 50176, 10), y.shape());
        Value[] parts = g.split(y, 2, 4, 6);
        assertEquals(Shape.batched("batch", 50176, 6), parts[1].shape());
        assertThrows(IllegalArgumentException.class, () -> g.split(y, 2, 4, 5));
        assertThrows(IllegalArgumentException.class, () -> g.matMul(y, w), "inner dimensions differ");
    }

    @Test
    void namesAreUnique() {
        g.initializer("w", Tensor.zeros(1));
        assertThrows(IllegalArgumentException.class, () -> g.initializer("w", Tensor.zeros(1)));
    }

    @Test
    void aModelNeedsAnOutput() {
        assertThrows(IllegalStateException.class, () -> g.toModel(java.util.Map.of(), "test", ""));
    }
}
