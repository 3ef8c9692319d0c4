package dev.framewise.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class ModelMetadataTest {
    private final ModelMetadata metadata = new ModelMetadata("efficientformer-l1", "efficientformer", "l1",
            OptionalLong.of(12289928), OptionalLong.of(1291284736), Preprocessing.imagenet(0.95), Labels.IMAGENET_1K,
            Labels.imagenet1k(), "generated (seed 1)", "ab".repeat(32));

    @Test
    void roundTripsThroughProperties() {
        Map<String, String> props = metadata.toProperties();
        assertEquals("0.485,0.456,0.406", props.get(ModelMetadata.MEAN));
        assertEquals("0.95", props.get(ModelMetadata.CROP_FRACTION));
        assertEquals("1000", props.get(ModelMetadata.NUM_CLASSES));
        ModelMetadata back = ModelMetadata.fromProperties(props);
        assertEquals(metadata, back);
        assertEquals(236 - 1, back.preprocessing().resizeSize(), "floor(224 / 0.95)");
    }

    @Test
    void imagenetLabelsShip() {
        List<String> labels = Labels.imagenet1k();
        assertEquals(1000, labels.size());
        assertEquals("tench", labels.get(0));
        assertEquals("toilet tissue", labels.get(999));
    }

    @Test
    void aUsersModelWithItsOwnLabelsIsRead() {
        Map<String, String> props = new LinkedHashMap<>();
        props.put(ModelMetadata.INPUT_SIZE, "192");
        props.put(ModelMetadata.INTERPOLATION, "bilinear");
        props.put(ModelMetadata.CROP_FRACTION, "1");
        props.put(ModelMetadata.MEAN, "0.5, 0.5, 0.5");
        props.put(ModelMetadata.STD, "0.25,0.25,0.25");
        props.put(ModelMetadata.LABELS, "person\nbicycle\ncar");
        ModelMetadata m = ModelMetadata.fromProperties(props);
        assertEquals(List.of("person", "bicycle", "car"), m.labels());
        assertEquals(192, m.preprocessing().resizeSize());
        assertArrayEquals(new float[] {0.5f, 0.5f, 0.5f}, m.preprocessing().mean());
    }

    @Test
    void badMetadataNamesTheKeyAndTheFix() {
        Map<String, String> props = new LinkedHashMap<>(metadata.toProperties());
        props.put(ModelMetadata.MEAN, "0.5,0.5");
        assertEquals("model metadata framewise.mean must be 3 comma-separated numbers (R,G,B), got '0.5,0.5'",
                assertThrows(InvalidModelException.class, () -> ModelMetadata.fromProperties(props)).getMessage());

        props.remove(ModelMetadata.MEAN);
        assertEquals("model metadata framewise.mean is missing; build the model with 'framewise model build' or add the key",
                assertThrows(InvalidModelException.class, () -> ModelMetadata.fromProperties(props)).getMessage());

        Map<String, String> noLabels = new LinkedHashMap<>(metadata.toProperties());
        noLabels.remove(ModelMetadata.LABELS);
        noLabels.remove(ModelMetadata.LABEL_SET);
        assertEquals("model metadata framewise.labels is missing: add the class names, one per line, or set "
                + "framewise.label_set to imagenet-1k",
                assertThrows(InvalidModelException.class, () -> ModelMetadata.fromProperties(noLabels)).getMessage());

        Map<String, String> wrongCount = new LinkedHashMap<>(metadata.toProperties());
        wrongCount.put(ModelMetadata.NUM_CLASSES, "10");
        assertThrows(InvalidModelException.class, () -> ModelMetadata.fromProperties(wrongCount));
    }
}
