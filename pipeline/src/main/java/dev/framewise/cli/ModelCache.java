package dev.framewise.cli;

import dev.framewise.model.InvalidModelException;
import dev.framewise.model.ModelBuilder;
import dev.framewise.model.ModelInfo;
import dev.framewise.model.arch.EfficientFormer;
import dev.framewise.model.weights.GeneratedWeights;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The model {@code framewise run} and the demo use when none is given: EfficientFormer-L1 with
 * generated weights, built once and kept under {@code $FRAMEWISE_HOME/models} (default {@code
 * ~/.cache/framewise/models}).
 */
final class ModelCache {
    static final long SEED = 42;

    private ModelCache() {
    }

    static Path directory() {
        String home = System.getenv("FRAMEWISE_HOME");
        Path base = home != null && !home.isBlank() ? Path.of(home)
                : Path.of(System.getProperty("user.home"), ".cache", "framewise");
        return base.resolve("models");
    }

    /** The default model's path, built now if it is not cached (or the cached file is damaged). */
    static Path defaultModel(PrintWriter out) {
        Path file = directory().resolve("efficientformer-l1-generated-seed" + SEED + "-" + ModelBuilder.version() + ".onnx");
        if (Files.isRegularFile(file)) {
            try {
                ModelInfo.read(file).frameworkMetadata();
                out.println("no --model given: using EfficientFormer-L1 with generated weights (" + file + "); its"
                        + " labels are not trained predictions");
                return file;
            } catch (InvalidModelException e) {
                out.println("the cached model " + file + " is damaged (" + e.getMessage() + "); building it again");
            }
        }
        out.println("no --model given: building EfficientFormer-L1 with generated weights into " + file
                + " (once; its labels are not trained predictions)");
        out.flush();
        try {
            ModelBuilder.write(ModelBuilder.build(EfficientFormer.L1, GeneratedWeights.generate(EfficientFormer.L1, SEED)), file);
        } catch (IOException e) {
            throw new Framewise.UserException("cannot write the model cache " + file + ": " + IoErrors.describe(e)
                    + " (set FRAMEWISE_HOME to a writable directory, or pass --model)", e);
        }
        return file;
    }
}
