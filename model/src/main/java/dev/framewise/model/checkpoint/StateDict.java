package dev.framewise.model.checkpoint;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The tensors of a checkpoint by key, as the file names them, with the file's format for messages.
 *
 * @param format {@code PyTorch zip} or {@code safetensors}
 */
public record StateDict(Map<String, RawTensor> tensors, String format) {
    public StateDict {
        tensors = Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
    }
}
