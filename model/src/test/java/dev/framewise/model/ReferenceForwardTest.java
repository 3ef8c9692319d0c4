package dev.framewise.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.framewise.model.arch.EfficientFormer;
import dev.framewise.model.arch.MobileNetV2;
import dev.framewise.model.reference.BlockObserver;
import dev.framewise.model.reference.RefOps;
import dev.framewise.model.reference.ReferenceEfficientFormer;
import dev.framewise.model.reference.ReferenceMobileNetV2;
import dev.framewise.model.weights.GeneratedWeights;
import dev.framewise.model.weights.Weights;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The folded ONNX graph in ONNX Runtime agrees with a plain-Java forward pass written from the
 * spec (unfolded batch norm, layer scales, attention-bias gather, two heads).
 */
class ReferenceForwardTest {
    static final double TOLERANCE = 1e-4;

    @TempDir
    Path dir;

    @Test
    void efficientFormerL1MatchesTheReference() throws Exception {
        checkEfficientFormer(EfficientFormer.L1, 11);
    }

    @Test
    void reducedEfficientFormerMatchesTheReference() throws Exception {
        checkEfficientFormer(EfficientFormer.custom("tiny", new int[] {8, 16, 24, 32}, new int[] {2, 1, 2, 3}, 2, 10), 12);
    }

    @Test
    void efficientFormerWithAttentionOnlyInStageFourMatchesTheReference() throws Exception {
        // L7's pattern: every stage-4 block is MB3D, so the flatten comes first.
        checkEfficientFormer(EfficientFormer.custom("flat-first", new int[] {8, 16, 24, 40}, new int[] {1, 1, 1, 2}, 2, 5), 13);
    }

    @Test
    void mobileNetV2MatchesTheReference() throws Exception {
        Weights w = GeneratedWeights.generate(MobileNetV2.X100, 14);
        float[] expected = new ReferenceMobileNetV2(1.0, 1000, w).forward(TestSupport.image(0), BlockObserver.NONE);
        assertClose(ModelBuilder.build(MobileNetV2.X100, w), expected, TestSupport.image(0));
    }

    @Test
    void narrowMobileNetV2MatchesTheReference() throws Exception {
        MobileNetV2 arch = MobileNetV2.custom("025", 0.25, 10);
        Weights w = GeneratedWeights.generate(arch, 15);
        float[] expected = new ReferenceMobileNetV2(0.25, 10, w).forward(TestSupport.image(1), BlockObserver.NONE);
        assertClose(ModelBuilder.build(arch, w), expected, TestSupport.image(1));
    }

    @Test
    void erfIsAccurate() {
        assertEquals(0.5204998778130465, RefOps.erf(0.5), 1e-15);
        assertEquals(-0.9953222650189527, RefOps.erf(-2.0), 1e-15);
        assertEquals(0.9999779095030014, RefOps.erf(3.0), 1e-15);
        assertEquals(0.9999992569016276, RefOps.erf(3.5), 1e-15);
        assertEquals(0.0, RefOps.erf(0.0), 0.0);
    }

    private void checkEfficientFormer(EfficientFormer arch, long seed) throws Exception {
        Weights w = GeneratedWeights.generate(arch, seed);
        float[] image = TestSupport.image((int) seed);
        float[] expected = new ReferenceEfficientFormer(arch.dims(), arch.depths(), arch.numVit(), arch.numClasses(), w)
                .forward(image, BlockObserver.NONE);
        assertClose(ModelBuilder.build(arch, w), expected, image);
    }

    private void assertClose(dev.framewise.model.onnx.proto.ModelProto model, float[] expected, float[] image)
            throws Exception {
        Path file = dir.resolve("model.onnx");
        ModelBuilder.write(model, file);
        float[] actual = TestSupport.run(file, image)[0];
        double err = TestSupport.relativeError(actual, expected);
        assertTrue(err < TOLERANCE, "ONNX Runtime differs from the reference by " + err + " (relative)");
    }
}
