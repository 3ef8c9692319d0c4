package dev.framewise.model.arch;

import java.util.Collection;

/** A naming scheme of checkpoint keys, mapped to and from the canonical (timm) names. */
public interface KeyLayout {

    /** For messages, e.g. {@code timm} or {@code reference repository}. */
    String name();

    /** Whether a checkpoint's keys look like this layout. */
    boolean recognizes(Collection<String> keys);

    /** The canonical name of {@code key}, or null if this layout has no such key. */
    String toCanonical(String key);

    /** The name this layout gives a canonical key. */
    String fromCanonical(String canonical);

    /** The canonical layout: names are timm's. */
    static KeyLayout timm() {
        return new KeyLayout() {
            @Override
            public String name() {
                return "timm";
            }

            @Override
            public boolean recognizes(Collection<String> keys) {
                return true;
            }

            @Override
            public String toCanonical(String key) {
                return key;
            }

            @Override
            public String fromCanonical(String canonical) {
                return canonical;
            }
        };
    }
}
