package dev.framewise.model.arch;

import java.util.List;

/** The architectures Framewise builds by name. */
public final class Architectures {
    private static final List<Architecture> ALL =
            List.of(EfficientFormer.L1, EfficientFormer.L3, EfficientFormer.L7, MobileNetV2.X100);

    private Architectures() {
    }

    public static List<Architecture> all() {
        return ALL;
    }

    public static List<String> ids() {
        return ALL.stream().map(Architecture::id).toList();
    }

    /** The architecture called {@code id}; an unknown name fails with the list of known ones. */
    public static Architecture byId(String id) {
        for (Architecture a : ALL) {
            if (a.id().equals(id)) {
                return a;
            }
        }
        throw new IllegalArgumentException("unknown architecture '" + id + "': choose one of " + String.join(", ", ids()));
    }
}
