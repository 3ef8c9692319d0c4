package dev.framewise.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The class path of a local cluster's Flink processes: what a Flink distribution's lib/ folder
 * holds on a production cluster, built from the jars Maven resolved for the command line.
 *
 * <ul>
 *   <li>Flink's runtime (flink-runtime, flink-clients, flink-streaming-java, flink-runtime-web,
 *       flink-rpc-akka-loader, flink-connector-base and what they need) and log4j: the command
 *       line's compile, provided and runtime dependencies, less the ones below.
 *   <li>ONNX Runtime, JavaCV and FFmpeg from {@code target/flink-lib}, exactly the jars the image
 *       puts in /opt/flink/lib: they load native libraries, which a JVM loads once per class
 *       loader, so they must come from the cluster, not with each job (stack.md, point 11).
 * </ul>
 *
 * Left out: what the job jar brings itself (Framewise's own modules, the Kafka connector and
 * clients, Avro), because Flink loads {@code org.apache.flink.*} parent-first and a copy on the
 * cluster would shadow the job's; and the command line's own tools (the Kafka broker and Scala,
 * picocli, JUnit). A few small libraries of those tools remain; the job never sees them (it loads
 * its own classes child-first).
 */
final class ClusterClassPath {
    /** Maven group ids (with every sub-group) whose jars stay off the cluster. */
    static final List<String> LEFT_OUT_GROUPS = List.of(
            // brought by the job jar
            "org.apache.kafka", "org.apache.avro",
            // the command line's own tools: the Kafka broker, the argument parser, JUnit (the broker's test kit)
            "org.scala-lang", "com.typesafe.scala-logging", "info.picocli", "org.junit", "org.opentest4j",
            "org.apiguardian",
            // from target/flink-lib instead
            "com.microsoft.onnxruntime", "org.bytedeco");

    /** Flink artifacts the job jar brings itself, with the connector it belongs to. */
    static final Set<String> LEFT_OUT_FLINK_ARTIFACTS = Set.of("flink-connector-kafka", "flink-avro");

    private ClusterClassPath() {
    }

    static List<Path> of(BuildOutputs build) {
        Set<Path> jars = new LinkedHashSet<>();
        for (Path file : List.of(build.classPath(), build.runtimeClassPath())) {
            for (String entry : read(file).split(java.io.File.pathSeparator)) {
                if (!entry.isBlank()) {
                    jars.add(Path.of(entry.strip()));
                }
            }
        }
        List<Path> classPath = new ArrayList<>(select(jars));
        try (Stream<Path> lib = Files.list(build.flinkLib())) {
            lib.filter(p -> p.getFileName().toString().endsWith(".jar")).sorted().forEach(classPath::add);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + build.flinkLib(), e);
        }
        return classPath;
    }

    /** The jars of a Maven-resolved class path that a Flink distribution's lib/ would hold. */
    static List<Path> select(Iterable<Path> jars) {
        List<Path> kept = new ArrayList<>();
        for (Path jar : jars) {
            // Outside a Maven repository's group/artifact/version layout: a module of this build, in the job jar.
            if (artifactId(jar) == null) {
                continue;
            }
            if (LEFT_OUT_GROUPS.stream().anyMatch(g -> inGroup(jar, g))
                    || inGroup(jar, "org.apache.flink") && LEFT_OUT_FLINK_ARTIFACTS.contains(artifactId(jar))) {
                continue;
            }
            kept.add(jar);
        }
        return kept;
    }

    /** The artifact id of {@code .../<group path>/<artifact>/<version>/<artifact>-<version>[-classifier].jar}, else null. */
    private static String artifactId(Path jar) {
        int n = jar.getNameCount();
        if (n < 4) {
            return null;
        }
        String artifact = jar.getName(n - 3).toString();
        String version = jar.getName(n - 2).toString();
        String file = jar.getFileName().toString();
        return file.startsWith(artifact + "-" + version) && file.endsWith(".jar") ? artifact : null;
    }

    /** Whether the jar's group (the folders above its artifact's) is {@code group} or one under it. */
    private static boolean inGroup(Path jar, String group) {
        String[] parts = group.split("\\.");
        int n = jar.getNameCount();
        int artifactIndex = n - 3;
        for (int start = 0; start + parts.length <= artifactIndex; start++) {
            boolean match = true;
            for (int i = 0; i < parts.length && match; i++) {
                match = jar.getName(start + i).toString().equals(parts[i]);
            }
            if (match) {
                return true;
            }
        }
        return false;
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }
}
