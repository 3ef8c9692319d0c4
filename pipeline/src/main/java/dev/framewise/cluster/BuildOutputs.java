package dev.framewise.cluster;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What the build writes next to the command line's classes ({@code pipeline/target}): the job jar,
 * the class path files and the jars for a Flink cluster's lib/ folder (see pipeline/pom.xml).
 */
public record BuildOutputs(Path target) {
    static final String BUILD_HINT = "build it with 'mvn -B -DskipTests package' at the repository root"
            + " (the framewise launcher does this when sources change)";

    /** The folder holding this class's own classes folder or jar: {@code pipeline/target}. */
    public static BuildOutputs locate() {
        try {
            Path code = Path.of(BuildOutputs.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            return new BuildOutputs(code.toAbsolutePath().getParent());
        } catch (URISyntaxException e) {
            throw new IllegalStateException("cannot tell where the command line's classes are", e);
        }
    }

    /** The shaded job jar for {@code flink run}; the job's main is {@code dev.framewise.job.FramewiseJob}. */
    public Path jobJar() {
        return existing(target.resolve("framewise-job.jar"), "the job jar");
    }

    /** ONNX Runtime, JavaCV and FFmpeg: what a Flink cluster's lib/ folder needs besides Flink. */
    Path flinkLib() {
        return existing(target.resolve("flink-lib"), "the Flink lib/ jars");
    }

    /** The command line's compile and provided dependencies (Flink, the Kafka broker), one class path. */
    Path classPath() {
        return existing(target.resolve("framewise.classpath"), "the class path file");
    }

    /** The command line's compile and runtime dependencies (logging, compression codecs), one class path. */
    Path runtimeClassPath() {
        return existing(target.resolve("framewise-runtime.classpath"), "the runtime class path file");
    }

    private static Path existing(Path path, String what) {
        if (!Files.exists(path)) {
            throw new ClusterException(what + " " + path + " is missing: " + BUILD_HINT);
        }
        return path;
    }
}
