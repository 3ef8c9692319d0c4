package dev.framewise.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The local cluster's class path: Flink's runtime and log4j from Maven, ONNX Runtime and JavaCV from flink-lib, nothing the job brings. */
class ClusterClassPathTest {
    private static final String REPO = "/home/dev/.m2/repository/";

    @TempDir
    Path target;

    @Test
    void keepsFlinksRuntimeAndLeavesOutWhatTheJobJarAndTheCommandLineBring() {
        List<String> kept = Stream.of(
                        "org/apache/flink/flink-runtime/2.2.1/flink-runtime-2.2.1.jar",
                        "org/apache/flink/flink-rpc-akka-loader/2.2.1/flink-rpc-akka-loader-2.2.1.jar",
                        "org/apache/flink/flink-runtime-web/2.2.1/flink-runtime-web-2.2.1.jar",
                        "org/apache/commons/commons-lang3/3.18.0/commons-lang3-3.18.0.jar",
                        "org/apache/logging/log4j/log4j-core/2.25.3/log4j-core-2.25.3.jar")
                .map(j -> REPO + j).toList();
        List<String> leftOut = Stream.of(
                        // the job jar's
                        "org/apache/flink/flink-connector-kafka/5.0.0-2.2/flink-connector-kafka-5.0.0-2.2.jar",
                        "org/apache/flink/flink-avro/2.2.1/flink-avro-2.2.1.jar",
                        "org/apache/kafka/kafka-clients/4.2.0/kafka-clients-4.2.0.jar",
                        "org/apache/avro/avro/1.12.1/avro-1.12.1.jar",
                        // the broker's and the command line's
                        "org/apache/kafka/kafka_2.13/4.2.0/kafka_2.13-4.2.0.jar",
                        "org/scala-lang/scala-library/2.13.17/scala-library-2.13.17.jar",
                        "info/picocli/picocli/4.7.7/picocli-4.7.7.jar",
                        "org/junit/platform/junit-platform-launcher/1.14.1/junit-platform-launcher-1.14.1.jar",
                        // from flink-lib instead
                        "com/microsoft/onnxruntime/onnxruntime/1.28.0/onnxruntime-1.28.0.jar",
                        "org/bytedeco/javacpp/1.5.14/javacpp-1.5.14-linux-x86_64.jar")
                .map(j -> REPO + j).toList();
        List<Path> all = Stream.concat(Stream.concat(kept.stream(), leftOut.stream()),
                // a module of this build, which the job jar carries
                Stream.of("/work/framewise/model/target/framewise-model-0.1.0-SNAPSHOT.jar", "/work/framewise/schemas/target/classes"))
                .map(Path::of).toList();

        assertEquals(kept.stream().map(Path::of).toList(), ClusterClassPath.select(all));
    }

    @Test
    void addsTheFlinkLibJarsAfterTheResolvedOnes() throws Exception {
        String runtime = REPO + "org/apache/flink/flink-runtime/2.2.1/flink-runtime-2.2.1.jar";
        String log4j = REPO + "org/apache/logging/log4j/log4j-core/2.25.3/log4j-core-2.25.3.jar";
        Files.writeString(target.resolve("framewise.classpath"), runtime + ":" + REPO
                + "org/apache/kafka/kafka-clients/4.2.0/kafka-clients-4.2.0.jar");
        // The runtime scope repeats the compile scope: each jar once.
        Files.writeString(target.resolve("framewise-runtime.classpath"), runtime + ":" + log4j + "\n");
        Path lib = Files.createDirectories(target.resolve("flink-lib"));
        Files.writeString(lib.resolve("onnxruntime-1.28.0.jar"), "");
        Files.writeString(lib.resolve("javacv-1.5.14.jar"), "");
        Files.writeString(lib.resolve("README.txt"), "");

        List<Path> classPath = ClusterClassPath.of(new BuildOutputs(target));

        assertEquals(List.of(Path.of(runtime), Path.of(log4j), lib.resolve("javacv-1.5.14.jar"),
                lib.resolve("onnxruntime-1.28.0.jar")), classPath);
    }

    @Test
    void aMissingBuildOutputNamesItAndHowToBuildIt() {
        ClusterException e = org.junit.jupiter.api.Assertions.assertThrows(ClusterException.class,
                () -> new BuildOutputs(target).jobJar());
        assertEquals("the job jar " + target.resolve("framewise-job.jar") + " is missing: build it with"
                + " 'mvn -B -DskipTests package' at the repository root (the framewise launcher does this when sources"
                + " change)", e.getMessage());
        assertTrue(BuildOutputs.locate().target().endsWith("target"), BuildOutputs.locate().toString());
    }
}
