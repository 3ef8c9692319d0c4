package dev.framewise.kafka;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The last lines of a log that may have grown large over many runs. */
public final class LogTail {
    private static final int MAX_BYTES = 16 * 1024;

    private LogTail() {
    }

    public static List<String> lastLines(Path file, int count) {
        try (SeekableByteChannel ch = Files.newByteChannel(file)) {
            long size = ch.size();
            int length = (int) Math.min(size, MAX_BYTES);
            ByteBuffer buf = ByteBuffer.allocate(length);
            ch.position(size - length);
            while (buf.hasRemaining()) {
                if (ch.read(buf) < 0) {
                    break;
                }
            }
            List<String> lines = new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8).lines()
                    .filter(l -> !l.isBlank()).toList();
            return lines.subList(Math.max(0, lines.size() - count), lines.size());
        } catch (IOException e) {
            return List.of("(cannot read " + file + ": " + e.getMessage() + ")");
        }
    }
}
