package dev.framewise.ingest;

import java.util.Locale;

/** What ingest puts on the topic: {@code --codec jpeg} or {@code --codec h264}. */
public enum OutputCodec {
    /** Each picture decoded and JPEG-encoded on its own. */
    JPEG,
    /** H.264 access units, passed through from an H.264 source where possible, else encoded. */
    H264;

    /** @throws IllegalArgumentException for anything but jpeg or h264 (any case) */
    public static OutputCodec parse(String text) {
        return switch (text.toLowerCase(Locale.ROOT)) {
            case "jpeg", "jpg" -> JPEG;
            case "h264", "h.264" -> H264;
            default -> throw new IllegalArgumentException("expected jpeg or h264, not '" + text + "'");
        };
    }
}
