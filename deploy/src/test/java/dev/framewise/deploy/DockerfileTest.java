package dev.framewise.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.framewise.cli.Framewise;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.runtime.util.EnvironmentInformation;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** deploy/docker/Dockerfile and the .dockerignore of its build context, read as Docker reads them. */
class DockerfileTest {
    private final Dockerfile docker = Dockerfile.parse(Assets.dockerfile());

    private Dockerfile.Instruction copyTo(Dockerfile.Stage stage, String destination) {
        List<Dockerfile.Instruction> copies = stage.all("COPY").stream()
                .filter(c -> c.paths().get(c.paths().size() - 1).equals(destination)).toList();
        assertEquals(1, copies.size(), "one COPY to " + destination + " in the final stage");
        return copies.get(0);
    }

    @Test
    void buildsWithMavenOnJava17() {
        Dockerfile.Stage build = docker.stage("build");
        assertTrue(build.image().matches("maven:3\\.9[.\\w-]*-eclipse-temurin-17"), build.image());
        assertTrue(build.runs().contains("mvn -B") && build.runs().contains("-pl pipeline -am package"),
                "builds the job jar and flink-lib as the README says: " + build.runs());
        assertTrue(Assets.read(Assets.repo().resolve("pom.xml")).contains("<maven.compiler.release>17</maven.compiler.release>"));
    }

    @Test
    void runsOnTheOfficialFlinkImageOfTheJobsFlinkVersionAndJava() {
        Dockerfile.Stage runtime = docker.last();
        // The job is compiled against this Flink (flink.version in the parent POM); the image must match.
        assertEquals("flink:" + EnvironmentInformation.getVersion() + "-java17", runtime.image());
        // ONNX Runtime and FFmpeg natives are shipped for Linux x86-64 only.
        assertEquals("linux/amd64", runtime.platform());
        assertTrue(Assets.read(Assets.repo().resolve("pom.xml")).contains("<classifier>linux-x86_64</classifier>"));
    }

    @Test
    void onnxRuntimeAndJavaCvGoToFlinksLib() {
        Dockerfile.Instruction copy = copyTo(docker.last(), "/opt/flink/lib/");
        assertEquals("build", copy.flag("from"));
        assertEquals(List.of("/src/pipeline/target/flink-lib/", "/opt/flink/lib/"), copy.paths());
        // ... which is where pipeline/pom.xml's flink-lib execution puts them.
        assertTrue(Assets.read(Assets.repo().resolve("pipeline/pom.xml"))
                .contains("<outputDirectory>${project.build.directory}/flink-lib</outputDirectory>"));
    }

    @Test
    void theJobJarGoesToUsrlibForApplicationMode() {
        Dockerfile.Instruction copy = copyTo(docker.last(), "/opt/flink/usrlib/framewise-job.jar");
        assertEquals("build", copy.flag("from"));
        assertEquals("/src/pipeline/target/framewise-job.jar", copy.paths().get(0));
        assertTrue(Assets.read(Assets.repo().resolve("pipeline/pom.xml"))
                .contains("<outputFile>${project.build.directory}/framewise-job.jar</outputFile>"));
    }

    @Test
    void theModelIsBuiltWithTheCommandLineAndLandsAtOptFramewise() {
        Dockerfile.Stage build = docker.stage("build");
        assertEquals("generated", build.args().get("MODEL"));
        String runs = build.runs();
        // The command line's class path, as the framewise launcher at the root builds it.
        String launcher = Assets.read(Assets.repo().resolve("framewise"));
        for (String part : List.of("pipeline/target/classes", "pipeline/target/framewise.classpath",
                "pipeline/target/framewise-runtime.classpath")) {
            assertTrue(runs.contains(part), "the model build's class path lacks " + part);
            assertTrue(launcher.contains(part.substring("pipeline/target/".length())), part + " is not what the launcher uses");
        }
        // Every `framewise model build` command in the Dockerfile is one the command line accepts.
        Matcher m = Pattern.compile(Pattern.quote(Framewise.class.getName()) + "\\s+([^;]+)").matcher(runs);
        int commands = 0;
        while (m.find()) {
            List<String> args = new ArrayList<>();
            for (String word : m.group(1).trim().split("\\s+")) {
                args.add(Dockerfile.substitute(word.replace("\"", ""), build.args()).isEmpty()
                        ? "deploy/models/weights.pth" : Dockerfile.substitute(word.replace("\"", ""), build.args()));
            }
            assertEquals(List.of("model", "build"), args.subList(0, 2), "a model build: " + args);
            new CommandLine(new Framewise()).parseArgs(args.toArray(String[]::new));
            assertEquals("/out/model/model.onnx", JobConfig.argument(args, "--out"));
            commands++;
        }
        assertEquals(2, commands, "with and without MODEL_WEIGHTS");
        Dockerfile.Instruction copy = copyTo(docker.last(), "/opt/framewise/");
        assertEquals(List.of("/out/model/", "/opt/framewise/"), copy.paths());
    }

    @Test
    void flinksConfigurationGetsOurSettingsIncludingTheParentFirstPatterns() {
        Dockerfile.Stage runtime = docker.last();
        Dockerfile.Instruction copy = copyTo(runtime, "/opt/framewise/flink/");
        assertTrue(copy.paths().containsAll(List.of("deploy/flink/config.yaml", "deploy/docker/apply-flink-config.sh")));
        assertTrue(runtime.runs().contains("apply-flink-config.sh /opt/framewise/flink/config.yaml"));
        String script = Assets.read(Assets.deploy().resolve("docker/apply-flink-config.sh"));
        assertTrue(script.contains("bin/config-parser-utils.sh"));
        // The settings themselves: FlinkConfigTest. Here: they include the patterns.
        assertTrue(FlinkConfigTest.lines().get("classloader.parent-first-patterns.additional").contains("ai.onnxruntime."));
        assertTrue(FlinkConfigTest.lines().get("classloader.parent-first-patterns.additional").contains("org.bytedeco."));
        // The file the image's entrypoint rewrites must stay writable by the flink user it runs as.
        assertEquals("flink:flink", copy.flag("chown"));
    }

    @Test
    void theJobsSettingsAndTheCheckpointFolderAreInPlace() {
        Dockerfile.Stage runtime = docker.last();
        Dockerfile.Instruction settings = copyTo(runtime, "/opt/framewise/framewise.yaml");
        assertEquals("deploy/framewise.yaml", settings.paths().get(0));
        assertTrue(runtime.runs().contains("mkdir -p /flink-data && chown flink:flink /flink-data"));
        List<Dockerfile.Instruction> users = runtime.all("USER");
        assertEquals("flink", users.get(users.size() - 1).arguments().strip(), "the image's user, as the entrypoint expects");
    }

    @Test
    void everyFileCopiedFromTheContextExistsAndPassesTheDockerignore() {
        DockerIgnore ignore = new DockerIgnore(Assets.repo().resolve(".dockerignore"));
        List<String> needed = new ArrayList<>();
        for (Dockerfile.Stage stage : docker.stages()) {
            for (Dockerfile.Instruction copy : stage.all("COPY")) {
                if (copy.flag("from") == null) {
                    List<String> paths = copy.paths();
                    paths.subList(0, paths.size() - 1).stream().filter(p -> !p.equals(".")).forEach(needed::add);
                }
            }
        }
        // Maven reads every module's POM, and the sources of the modules it builds.
        needed.add("pom.xml");
        for (String module : List.of("schemas", "model", "operators", "pipeline", "deploy")) {
            needed.add(module + "/pom.xml");
        }
        needed.add("pipeline/src/main/java/dev/framewise/job/FramewiseJob.java");
        needed.add("schemas/src/main/avro/VideoFrame.avsc");
        assertFalse(needed.isEmpty());
        for (String path : needed) {
            assertTrue(Files.exists(Assets.repo().resolve(path)), path + " does not exist");
            assertTrue(ignore.included(path), path + " is excluded from the build context by .dockerignore");
        }
        for (String path : List.of(".git/config", "pipeline/target/framewise-job.jar", "model/src/test/fixtures/x",
                ".framewise/logs/framewise.log", "deploy/target/x")) {
            assertFalse(ignore.included(path), path + " should stay out of the build context");
        }
    }

    @Test
    void theModulesInTheRootPomAreTheOnesTheContextCarries() {
        String pom = Assets.read(Assets.repo().resolve("pom.xml"));
        Matcher m = Pattern.compile("<module>([^<]+)</module>").matcher(pom);
        DockerIgnore ignore = new DockerIgnore(Assets.repo().resolve(".dockerignore"));
        int modules = 0;
        while (m.find()) {
            assertTrue(ignore.included(m.group(1) + "/pom.xml"), "module " + m.group(1) + " is missing from the build context");
            modules++;
        }
        assertNotNull(docker);
        assertEquals(5, modules);
    }
}
