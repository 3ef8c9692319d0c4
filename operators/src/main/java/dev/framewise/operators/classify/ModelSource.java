package dev.framewise.operators.classify;

import dev.framewise.operators.inference.ModelHandler.ModelFiles;
import java.io.File;
import java.io.Serializable;
import java.nio.file.Path;

/**
 * Where a subtask finds the model file: a path every TaskManager can read, or a file the job
 * shipped through Flink's distributed cache (the default: a path on the submitting machine then
 * works on any cluster).
 */
public record ModelSource(String localPath, String cacheName) implements Serializable {

    /** The file at {@code path} on every machine that runs a subtask. */
    public static ModelSource local(Path path) {
        return new ModelSource(path.toAbsolutePath().toString(), null);
    }

    /** The file registered with {@code env.registerCachedFile(path, name)}. */
    public static ModelSource shipped(String name) {
        return new ModelSource(null, name);
    }

    public Path resolve(ModelFiles files) {
        if (cacheName != null) {
            File f = files.get(cacheName);
            return f.toPath();
        }
        return Path.of(localPath);
    }

    @Override
    public String toString() {
        return cacheName != null ? "distributed-cache:" + cacheName : localPath;
    }
}
