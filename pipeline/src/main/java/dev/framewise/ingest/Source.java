package dev.framewise.ingest;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What {@code --source} names, and how FFmpeg opens it: a video file, a V4L2 capture device
 * ({@code /dev/videoN}), or a network stream ({@code rtsp://}, {@code udp://}, {@code http://}, ...).
 * Everything but a regular file is live: not paced, and reconnected when it drops.
 *
 * @param given the source as the user wrote it
 */
public record Source(String given, Kind kind) {
    private static final Pattern URL = Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]*://.*");
    private static final Pattern DEVICE = Pattern.compile("^/dev/video\\d+$");

    /** Where the frames come from. */
    public enum Kind {
        /** A regular file: paced to its frame rate, restarted by {@code --loop}. */
        FILE,
        /** A V4L2 capture device. */
        DEVICE,
        /** A network stream, or any other path that is not a regular file (a named pipe, say). */
        STREAM
    }

    public Source {
        Objects.requireNonNull(given, "given");
        Objects.requireNonNull(kind, "kind");
    }

    /** Tells the kind from the text, and for a path from the file system (a path that does not exist is a file). */
    public static Source of(String given) {
        if (given == null || given.isBlank()) {
            throw new IllegalArgumentException("--source is empty");
        }
        if (URL.matcher(given).matches()) {
            return new Source(given, given.toLowerCase(Locale.ROOT).startsWith("file://") ? Kind.FILE : Kind.STREAM);
        }
        if (DEVICE.matcher(given).matches()) {
            return new Source(given, Kind.DEVICE);
        }
        Path path = Path.of(given);
        return new Source(given, Files.exists(path) && !Files.isRegularFile(path) ? Kind.STREAM : Kind.FILE);
    }

    /**
     * For a file given as a path: that it exists and can be read. Other sources tell only when FFmpeg
     * opens them.
     */
    public void checkReadable() throws SourceException {
        if (kind != Kind.FILE || scheme() != null) {
            return;
        }
        Path path = Path.of(given);
        if (!Files.exists(path)) {
            throw new SourceException("cannot open " + given + ": no such file");
        }
        if (!Files.isRegularFile(path) || !Files.isReadable(path)) {
            throw new SourceException("cannot open " + given + ": not a readable file");
        }
    }

    public boolean live() {
        return kind != Kind.FILE;
    }

    /** The URL's scheme in lower case ({@code rtsp}, {@code udp}, ...), or null for a path. */
    public String scheme() {
        int end = given.indexOf("://");
        return end > 0 && URL.matcher(given).matches() ? given.substring(0, end).toLowerCase(Locale.ROOT) : null;
    }

    /**
     * The source with any password in the URL replaced by {@code ***}: this is what goes into the
     * records' headers and onto the terminal, where a camera's credentials have no business.
     */
    public String redacted() {
        if (scheme() == null) {
            return given;
        }
        try {
            URI uri = new URI(given);
            String user = uri.getRawUserInfo();
            if (user == null || !user.contains(":")) {
                return given;
            }
            String hidden = user.substring(0, user.indexOf(':')) + ":***";
            return given.replaceFirst(Pattern.quote(user + "@"), Matcher.quoteReplacement(hidden + "@"));
        } catch (URISyntaxException e) {
            // Not a URI Java reads (FFmpeg is more lenient): hide everything between :// and the last @.
            int at = given.lastIndexOf('@');
            int start = given.indexOf("://") + 3;
            return at > start ? given.substring(0, start) + "***" + given.substring(at) : given;
        }
    }

    /** FFmpeg's input format to force: {@code v4l2} for devices, none (probe) otherwise. */
    public String format() {
        return kind == Kind.DEVICE ? "v4l2" : null;
    }

    /**
     * Demuxer and protocol options, so that a dead stream is noticed within {@code timeout} instead of
     * a read that blocks forever. Times in FFmpeg's options are microseconds.
     */
    public Map<String, String> options(Duration timeout) {
        Map<String, String> options = new LinkedHashMap<>();
        String scheme = scheme();
        if (kind != Kind.STREAM || scheme == null) {
            return options;
        }
        String micros = Long.toString(timeout.toNanos() / 1000);
        // Every protocol's reads and writes, through FFmpeg's I/O layer.
        options.put("rw_timeout", micros);
        switch (scheme) {
            case "rtsp", "rtsps" -> {
                // Interleaved in the TCP connection: no lost UDP packets, and through firewalls and NAT.
                options.put("rtsp_transport", "tcp");
                options.put("timeout", micros);
            }
            case "udp" -> {
                options.put("timeout", micros);
                // A burst larger than the receive buffer loses packets instead of ending the stream.
                options.put("overrun_nonfatal", "1");
            }
            case "tcp", "http", "https" -> options.put("timeout", micros);
            default -> {
                // rtmp's "timeout" means listening for a connection, in seconds: rw_timeout only.
            }
        }
        return options;
    }

    @Override
    public String toString() {
        return redacted();
    }
}
