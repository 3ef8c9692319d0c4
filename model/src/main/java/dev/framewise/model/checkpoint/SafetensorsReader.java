package dev.framewise.model.checkpoint;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads the safetensors format: an 8-byte little-endian header length, a JSON header mapping each
 * name to its dtype, shape and byte range, then the tensors' bytes. Nothing in it is code.
 */
final class SafetensorsReader {
    /** The format caps headers at 100 MB; anything larger is not a safetensors file. */
    static final long MAX_HEADER = 100L * 1024 * 1024;

    private static final ObjectMapper JSON = new ObjectMapper();

    private SafetensorsReader() {
    }

    /** Whether {@code head}, the first bytes of a file, starts a safetensors header. */
    static boolean looksLike(byte[] head) {
        if (head.length < 9) {
            return false;
        }
        long n = ByteBuffer.wrap(head, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        return n > 1 && n <= MAX_HEADER && head[8] == '{';
    }

    static StateDict read(byte[] file, String name) {
        ByteBuffer buf = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        long n = buf.getLong();
        if (n > file.length - 8L) {
            throw new CheckpointException(name + " is truncated: its safetensors header says " + n
                    + " bytes, the file has " + (file.length - 8L) + " after the length");
        }
        JsonNode header;
        try {
            header = JSON.readTree(new String(file, 8, (int) n, StandardCharsets.UTF_8));
        } catch (JsonProcessingException e) {
            throw new CheckpointException(name + " is corrupt: its safetensors header is not valid JSON ("
                    + e.getOriginalMessage() + ")");
        }
        if (header == null || !header.isObject()) {
            throw new CheckpointException(name + " is corrupt: its safetensors header is not a JSON object");
        }
        int dataStart = 8 + (int) n;
        long dataLength = file.length - (long) dataStart;
        Map<String, RawTensor> tensors = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : header.properties()) {
            String key = e.getKey();
            if (key.equals("__metadata__")) {
                continue;
            }
            JsonNode t = e.getValue();
            DType dtype = DType.ofSafetensors(t.path("dtype").asText(""));
            JsonNode shapeNode = t.path("shape");
            JsonNode offsets = t.path("data_offsets");
            if (dtype == null || !shapeNode.isArray() || !offsets.isArray() || offsets.size() != 2) {
                throw new CheckpointException(name + " is corrupt: tensor '" + key + "' has a malformed header entry " + t);
            }
            int[] shape = new int[shapeNode.size()];
            long count = 1;
            for (int i = 0; i < shape.length; i++) {
                long d = shapeNode.get(i).asLong(-1);
                if (d < 0 || d > Integer.MAX_VALUE) {
                    throw new CheckpointException(name + " is corrupt: tensor '" + key + "' has shape " + shapeNode);
                }
                shape[i] = (int) d;
                count = Math.multiplyExact(count, d);
            }
            long begin = offsets.get(0).asLong(-1);
            long end = offsets.get(1).asLong(-1);
            if (begin < 0 || end < begin || end > dataLength) {
                throw new CheckpointException(name + " is " + (end > dataLength ? "truncated" : "corrupt") + ": tensor '"
                        + key + "' spans bytes " + begin + "-" + end + " of a data section of " + dataLength);
            }
            if (end - begin != count * dtype.size()) {
                throw new CheckpointException(name + " is corrupt: tensor '" + key + "' of shape " + shapeNode + " and dtype "
                        + dtype + " needs " + count * dtype.size() + " bytes, its range has " + (end - begin));
            }
            ByteBuffer data = ByteBuffer.wrap(file, dataStart + (int) begin, (int) (end - begin)).slice();
            tensors.put(key, new RawTensor(dtype, shape, data));
        }
        return new StateDict(tensors, "safetensors");
    }
}
