package dev.framewise.model;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/** Class-name lists that ship with Framewise. */
public final class Labels {
    public static final String IMAGENET_1K = "imagenet-1k";

    private static volatile List<String> imagenet;

    private Labels() {
    }

    /** The 1000 ImageNet-1k class names in class-index order (torchvision's names). */
    public static List<String> imagenet1k() {
        List<String> labels = imagenet;
        if (labels == null) {
            labels = read("imagenet-1k.txt");
            if (labels.size() != 1000) {
                throw new IllegalStateException("imagenet-1k.txt has " + labels.size() + " labels, expected 1000");
            }
            imagenet = labels;
        }
        return labels;
    }

    /** The labels of a set Framewise ships, by name; null if it ships none by that name. */
    public static List<String> forSet(String name) {
        return IMAGENET_1K.equals(name) ? imagenet1k() : null;
    }

    private static List<String> read(String resource) {
        try (InputStream in = Labels.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("resource " + resource + " is missing from the model jar");
            }
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            return List.copyOf(Arrays.asList(text.strip().split("\n")));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + resource, e);
        }
    }
}
