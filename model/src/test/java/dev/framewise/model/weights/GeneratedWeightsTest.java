package dev.framewise.model.weights;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.framewise.model.TestSupport;
import dev.framewise.model.arch.Architecture;
import dev.framewise.model.arch.Architectures;
import dev.framewise.model.arch.EfficientFormer;
import dev.framewise.model.arch.MobileNetV2;
import dev.framewise.model.reference.BlockObserver;
import dev.framewise.model.reference.ReferenceEfficientFormer;
import dev.framewise.model.reference.ReferenceMobileNetV2;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class GeneratedWeightsTest {

    @Test
    void sameSeedSameBytesOtherSeedOtherBytes() {
        Weights a = GeneratedWeights.generate(EfficientFormer.L1, 42);
        Weights b = GeneratedWeights.generate(EfficientFormer.L1, 42);
        Weights c = GeneratedWeights.generate(EfficientFormer.L1, 43);
        assertEquals(a.sha256(), b.sha256());
        assertNotEquals(a.sha256(), c.sha256());
        assertArrayEquals(a.get("stem.conv1.weight").data(), b.get("stem.conv1.weight").data());
        assertEquals("generated (seed 42)", a.source());
    }

    @Test
    void aTensorDoesNotDependOnTheOthers() {
        // Each tensor has its own stream: L1 and L3 share the name head.bias and get the same values.
        float[] l1 = GeneratedWeights.generate(EfficientFormer.L1, 5).get("head.bias").data();
        float[] l3 = GeneratedWeights.generate(EfficientFormer.L3, 5).get("head.bias").data();
        assertArrayEquals(l1, l3);
    }

    @Test
    void pinnedValuesDoNotDrift() {
        // Generated models are cached and compared across runs: the generator must never change silently.
        Weights w = GeneratedWeights.generate(EfficientFormer.L1, 42);
        assertEquals("d4c50469", w.sha256().substring(0, 8), "generator output changed: " + w.sha256());
    }

    /**
     * Through every block of every architecture, activations stay finite and in a sane range, and
     * each residual block changes its input; the logits vary across classes. (That they differ from
     * image to image is checked in ONNX Runtime, by BuiltModelsTest.)
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"efficientformer-l1", "efficientformer-l3", "efficientformer-l7", "mobilenetv2"})
    void activationsStayFiniteAndAlive(String id) {
        Architecture arch = Architectures.byId(id);
        Weights w = GeneratedWeights.generate(arch, 42);
        List<String> problems = new ArrayList<>();
        BlockObserver observer = (name, in, out) -> {
            double std = std(out);
            if (!Double.isFinite(std) || std < 0.05 || std > 50) {
                problems.add(String.format(Locale.ROOT, "%s: output std %.4g", name, std));
            }
            if (in.length == out.length) {
                double change = 0;
                double norm = 0;
                for (int i = 0; i < in.length; i++) {
                    change += (out[i] - in[i]) * (double) (out[i] - in[i]);
                    norm += in[i] * (double) in[i];
                }
                double rel = Math.sqrt(change / norm);
                if (rel < 0.01) {
                    problems.add(String.format(Locale.ROOT, "%s: changes its input by only %.2g", name, rel));
                }
            }
        };
        float[] logits = forward(arch, w, TestSupport.image(1), observer);
        assertTrue(problems.isEmpty(), id + ": " + problems);
        assertTrue(std(logits) > 0.05, id + ": logits hardly vary across classes: std " + std(logits));
    }

    private static float[] forward(Architecture arch, Weights w, float[] image, BlockObserver observer) {
        if (arch instanceof EfficientFormer ef) {
            return new ReferenceEfficientFormer(ef.dims(), ef.depths(), ef.numVit(), ef.numClasses(), w)
                    .forward(image, observer);
        }
        MobileNetV2 m = (MobileNetV2) arch;
        return new ReferenceMobileNetV2(m.multiplier(), m.numClasses(), w).forward(image, observer);
    }

    private static double std(float[] x) {
        double mean = 0;
        for (float v : x) {
            mean += v;
        }
        mean /= x.length;
        double var = 0;
        for (float v : x) {
            var += (v - mean) * (v - mean);
        }
        return Math.sqrt(var / x.length);
    }
}
