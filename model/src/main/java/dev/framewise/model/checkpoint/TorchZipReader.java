package dev.framewise.model.checkpoint;

import dev.framewise.model.checkpoint.RestrictedUnpickler.StorageRef;
import dev.framewise.model.checkpoint.RestrictedUnpickler.TensorRef;
import dev.framewise.model.checkpoint.RestrictedUnpickler.Tuple;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * Reads what {@code torch.save} writes since PyTorch 1.6: a zip archive holding {@code <name>/data.pkl}
 * (the object, pickled, with tensors as references to storages) and {@code <name>/data/<key>} (each
 * storage's raw bytes). The pickle is read by {@link RestrictedUnpickler}.
 */
final class TorchZipReader {
    /** Keys under which training scripts nest the state dict, in the order they are looked for. */
    static final List<String> NESTED_KEYS = List.of("model", "state_dict");

    private TorchZipReader() {
    }

    static StateDict read(Path file) {
        String name = file.getFileName().toString();
        try (ZipFile zip = new ZipFile(file.toFile())) {
            String prefix = findPrefix(zip, name);
            boolean bigEndian = false;
            ZipEntry order = zip.getEntry(prefix + "byteorder");
            if (order != null) {
                bigEndian = new String(readEntry(zip, order, name), StandardCharsets.US_ASCII).strip().equals("big");
            }
            byte[] pickle = readEntry(zip, zip.getEntry(prefix + "data.pkl"), name);
            Object root = RestrictedUnpickler.load(pickle, name, pid -> storage(pid, name));
            Map<?, ?> dict = findStateDict(root, name);
            Map<String, RawTensor> tensors = new LinkedHashMap<>();
            Map<String, byte[]> storages = new HashMap<>();
            for (Map.Entry<?, ?> e : dict.entrySet()) {
                if (!(e.getKey() instanceof String key)) {
                    throw new CheckpointException(name + ": the state dict has a key that is not a string: " + e.getKey());
                }
                if (!(e.getValue() instanceof TensorRef ref)) {
                    throw new CheckpointException(name + ": state dict entry '" + key + "' is not a tensor");
                }
                byte[] storage = storages.get(ref.storage().key());
                if (storage == null) {
                    ZipEntry entry = zip.getEntry(prefix + "data/" + ref.storage().key());
                    if (entry == null) {
                        throw new CheckpointException(name + " is corrupt: the storage of '" + key + "' ("
                                + prefix + "data/" + ref.storage().key() + ") is missing from the archive");
                    }
                    storage = readEntry(zip, entry, name);
                    if (storage.length != ref.storage().numel() * ref.storage().dtype().size()) {
                        throw new CheckpointException(name + " is corrupt: storage " + ref.storage().key() + " has "
                                + storage.length + " bytes, its header says " + ref.storage().numel() + " "
                                + ref.storage().dtype() + " values");
                    }
                    storages.put(ref.storage().key(), storage);
                }
                tensors.put(key, materialize(ref, storage, bigEndian, name, key));
            }
            return new StateDict(tensors, "PyTorch zip");
        } catch (ZipException e) {
            throw new CheckpointException(name + " is not a readable PyTorch checkpoint: the zip archive is truncated or corrupt ("
                    + e.getMessage() + ")", e);
        } catch (IOException e) {
            throw new CheckpointException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    private static String findPrefix(ZipFile zip, String name) {
        String prefix = null;
        for (Enumeration<? extends ZipEntry> en = zip.entries(); en.hasMoreElements(); ) {
            String entry = en.nextElement().getName();
            if (entry.endsWith("data.pkl") && (entry.equals("data.pkl") || entry.endsWith("/data.pkl"))) {
                if (prefix != null) {
                    throw new CheckpointException(name + " holds more than one data.pkl; not a torch.save archive");
                }
                prefix = entry.substring(0, entry.length() - "data.pkl".length());
            }
        }
        if (prefix == null) {
            throw new CheckpointException(name + " is a zip archive but not a PyTorch checkpoint (no data.pkl inside)");
        }
        return prefix;
    }

    private static Object storage(Tuple pid, String name) {
        if (pid.size() != 5 || !"storage".equals(pid.get(0))) {
            throw new CheckpointException(name + " is corrupt: unknown persistent id " + pid.items());
        }
        if (!(pid.get(1) instanceof RestrictedUnpickler.Global g) || DType.ofTorchStorage(g.name()) == null) {
            throw new CheckpointException(name + ": unknown storage type " + pid.get(1));
        }
        if (!(pid.get(2) instanceof String key) || !(pid.get(4) instanceof Long numel) || numel < 0) {
            throw new CheckpointException(name + " is corrupt: malformed storage reference " + pid.items());
        }
        return new StorageRef(DType.ofTorchStorage(g.name()), key, numel);
    }

    /** The state dict: the top-level object, or a dict under {@code model} or {@code state_dict}. */
    static Map<?, ?> findStateDict(Object root, String name) {
        if (!(root instanceof Map<?, ?> map)) {
            throw new CheckpointException(name + " holds a " + (root == null ? "None" : root.getClass().getSimpleName())
                    + ", not a state dict");
        }
        if (!map.isEmpty() && map.values().stream().allMatch(v -> v instanceof TensorRef)) {
            return map;
        }
        for (String key : NESTED_KEYS) {
            if (map.get(key) instanceof Map<?, ?> nested) {
                return nested;
            }
        }
        throw new CheckpointException(name + " holds no state dict: expected tensors at the top level or a dict under "
                + String.join(" or ", NESTED_KEYS.stream().map(k -> "'" + k + "'").toList()) + "; top-level keys are "
                + map.keySet());
    }

    private static RawTensor materialize(TensorRef ref, byte[] storage, boolean bigEndian, String name, String key) {
        int es = ref.storage().dtype().size();
        long numel = ref.storage().numel();
        long count = 1;
        long maxIndex = ref.offset();
        int[] shape = new int[ref.size().length];
        for (int d = 0; d < shape.length; d++) {
            long s = ref.size()[d];
            if (s < 0 || s > Integer.MAX_VALUE || ref.stride()[d] < 0) {
                throw new CheckpointException(name + " is corrupt: tensor '" + key + "' has size "
                        + Arrays.toString(ref.size()) + " and stride " + Arrays.toString(ref.stride()));
            }
            shape[d] = (int) s;
            count = Math.multiplyExact(count, s);
            maxIndex += (s - 1) * ref.stride()[d];
        }
        if (count > 0 && (ref.offset() < 0 || maxIndex >= numel)) {
            throw new CheckpointException(name + " is corrupt: tensor '" + key + "' reaches past the end of its storage");
        }
        byte[] out = new byte[Math.toIntExact(count * es)];
        if (count > 0) {
            long[] contiguous = new long[shape.length];
            long st = 1;
            for (int d = shape.length - 1; d >= 0; d--) {
                contiguous[d] = st;
                st *= shape[d];
            }
            if (Arrays.equals(contiguous, ref.stride()) || count == 1) {
                System.arraycopy(storage, Math.toIntExact(ref.offset() * es), out, 0, out.length);
            } else {
                int[] idx = new int[shape.length];
                for (long i = 0; i < count; i++) {
                    long src = ref.offset();
                    for (int d = 0; d < shape.length; d++) {
                        src += idx[d] * ref.stride()[d];
                    }
                    System.arraycopy(storage, (int) (src * es), out, (int) (i * es), es);
                    for (int d = shape.length - 1; d >= 0 && ++idx[d] == shape[d]; d--) {
                        idx[d] = 0;
                    }
                }
            }
        }
        if (bigEndian && es > 1) {
            for (int i = 0; i < out.length; i += es) {
                for (int a = i, b = i + es - 1; a < b; a++, b--) {
                    byte t = out[a];
                    out[a] = out[b];
                    out[b] = t;
                }
            }
        }
        return new RawTensor(ref.storage().dtype(), shape, ByteBuffer.wrap(out));
    }

    /** The entry's bytes, checked against its CRC so that a damaged tensor is caught here. */
    private static byte[] readEntry(ZipFile zip, ZipEntry entry, String name) throws IOException {
        byte[] data;
        try (InputStream in = zip.getInputStream(entry)) {
            data = in.readAllBytes();
        }
        if (entry.getSize() >= 0 && data.length != entry.getSize()) {
            throw new CheckpointException(name + " is truncated: " + entry.getName() + " has " + data.length
                    + " of " + entry.getSize() + " bytes");
        }
        if (entry.getCrc() >= 0) {
            CRC32 crc = new CRC32();
            crc.update(data);
            if (crc.getValue() != entry.getCrc()) {
                throw new CheckpointException(name + " is corrupt: " + entry.getName() + " fails its CRC check");
            }
        }
        return data;
    }
}
