package dev.framewise.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.framewise.model.arch.EfficientFormer;
import dev.framewise.model.arch.MobileNetV2;
import dev.framewise.model.arch.ParamSpec.Role;
import dev.framewise.model.weights.GeneratedWeights;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelInfoTest {
    @TempDir
    Path dir;

    @Test
    void efficientFormerL1DescribesItself() throws Exception {
        Path file = dir.resolve("l1.onnx");
        ModelBuilder.write(ModelBuilder.build(EfficientFormer.L1, GeneratedWeights.generate(EfficientFormer.L1, 1)), file);
        ModelInfo info = ModelInfo.read(file);
        assertEquals("efficientformer-l1", info.arch());
        assertEquals(12289928L, info.parameters().getAsLong());
        assertEquals(EfficientFormer.L1.macs(), info.macs().getAsLong());
        assertEquals(17, info.opset());
        assertEquals(8, info.irVersion());
        assertEquals(List.of("batch", "3", "224", "224"), info.inputShape());
        assertEquals(List.of("batch", "1000"), info.outputShape());
        assertEquals(1000, info.numClasses().getAsLong());
        // Folded: per conv-BN pair, the BN's gamma and beta are gone; every layer scale folds into
        // the linear layer before it except MB4D's ls1 (after the pooling mixer); the two heads are
        // one; the attention bias grows from its table [8, 49] to [8, 49, 49].
        long batchNormAffine = sum(Role.BN_WEIGHT) + sum(Role.BN_BIAS);
        long mb4dLs1 = 3 * 48 + 2 * 96 + 6 * 224 + 3 * 448;
        long foldedLayerScales = sum(Role.LAYER_SCALE) - mb4dLs1;
        long oneHead = 448 * 1000 + 1000;
        long attentionBiasGrowth = 8 * 49 * 49 - 8 * 49;
        long scalars = 3; // GELU's sqrt(2), 1 and 0.5
        assertEquals(12289928 - batchNormAffine - foldedLayerScales - oneHead + attentionBiasGrowth + scalars,
                info.graphParameters());
        // The graph's MACs: the unfolded count less the second head.
        assertEquals(EfficientFormer.L1.macs() - 448 * 1000, info.graphMacs().getAsLong());
        assertEquals("generated (seed 1)", info.frameworkMetadata().weightsSource());
    }

    private static long sum(Role role) {
        return EfficientFormer.L1.parameters().stream().filter(p -> p.role() == role).mapToLong(p -> p.elementCount()).sum();
    }

    @Test
    void mobileNetGraphMacsEqualTheArchitecture() throws Exception {
        Path file = dir.resolve("m.onnx");
        ModelBuilder.write(ModelBuilder.build(MobileNetV2.X100, GeneratedWeights.generate(MobileNetV2.X100, 1)), file);
        assertEquals(MobileNetV2.X100.macs(), ModelInfo.read(file).graphMacs().getAsLong());
    }

    @Test
    void notAModelFailsClearly() throws Exception {
        Path file = dir.resolve("junk.onnx");
        Files.writeString(file, "this is not protobuf at all, just some text");
        InvalidModelException e = assertThrows(InvalidModelException.class, () -> ModelInfo.read(file));
        assertTrue(e.getMessage().startsWith(file + " is not "), e.getMessage());
    }
}
