package dev.framewise.model.arch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class ArchitectureCountsTest {

    @ParameterizedTest(name = "{0}: {1} parameters, {2} GMACs")
    @CsvSource({
        "efficientformer-l1, 12289928, 1.291",
        "efficientformer-l3, 31406000, 3.907",
        "efficientformer-l7, 82229328, 10.119",
        "mobilenetv2, 3504872, 0.301",
    })
    void parameterCountsEqualTimmsAndMacsMatchThePaper(String id, long parameters, double gmacs) {
        Architecture arch = Architectures.byId(id);
        assertEquals(parameters, arch.parameterCount(), "parameters of " + id);
        double measured = arch.macs() / 1e9;
        assertTrue(Math.abs(measured - gmacs) / gmacs < 0.005, id + ": " + measured + " GMACs, expected " + gmacs);
    }

    @Test
    void timmKeyCountsIncludeTheFlatSlot() {
        // 280 persistent entries plus one attention_bias_idxs buffer for L1's single MB3D block.
        assertEquals(281, EfficientFormer.L1.parameters().size());
        assertTrue(EfficientFormer.L1.parameters().stream()
                .anyMatch(p -> p.name().equals("stages.3.blocks.4.token_mixer.qkv.weight")));
        assertTrue(EfficientFormer.L7.parameters().stream()
                .anyMatch(p -> p.name().equals("stages.3.blocks.1.token_mixer.qkv.weight")), "L7: Flat first");
        assertEquals(314, MobileNetV2.X100.parameters().size());
    }

    @Test
    void unknownArchitectureNamesTheKnownOnes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Architectures.byId("resnet50"));
        assertEquals("unknown architecture 'resnet50': choose one of efficientformer-l1, efficientformer-l3, "
                + "efficientformer-l7, mobilenetv2", e.getMessage());
    }

    @Test
    void customConfigurationsAreChecked() {
        assertThrows(IllegalArgumentException.class,
                () -> EfficientFormer.custom("x", new int[] {8, 16, 24, 32}, new int[] {1, 1, 1, 2}, 3, 10));
        assertThrows(IllegalArgumentException.class,
                () -> EfficientFormer.custom("x", new int[] {7, 16, 24, 32}, new int[] {1, 1, 1, 2}, 1, 10));
    }

    @Test
    void referenceLayoutMapsBothWays() {
        KeyLayout ref = EfficientFormer.L1.keyLayouts().get(1);
        for (ParamSpec p : EfficientFormer.L1.parameters()) {
            String key = ref.fromCanonical(p.name());
            assertEquals(p.name(), ref.toCanonical(key), "round trip of " + p.name() + " via " + key);
        }
        assertEquals("network.6.4.layer_scale_1", ref.fromCanonical("stages.3.blocks.4.ls1.gamma"));
        assertEquals("network.5.proj.weight", ref.fromCanonical("stages.3.downsample.conv.weight"));
        assertEquals("patch_embed.4.running_var", ref.fromCanonical("stem.norm2.running_var"));
        assertEquals("dist_head.bias", ref.fromCanonical("head_dist.bias"));
    }
}
