package dev.framewise.deploy;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Every YAML and JSON asset parses, and none is empty. */
class AllAssetsParseTest {

    private static List<Path> assets(String... extensions) throws IOException {
        Path deploy = Assets.deploy();
        try (Stream<Path> files = Files.walk(deploy)) {
            return files.filter(Files::isRegularFile)
                    .filter(f -> !deploy.relativize(f).startsWith("target") && !deploy.relativize(f).startsWith("src"))
                    .filter(f -> Stream.of(extensions).anyMatch(e -> f.getFileName().toString().endsWith(e)))
                    .sorted()
                    .toList();
        }
    }

    @Test
    void everyYamlFileParses() throws IOException {
        List<Path> files = assets(".yaml", ".yml");
        assertTrue(files.size() >= 10, "expected the deploy YAML files, found " + files);
        for (Path f : files) {
            List<JsonNode> docs = Assets.yamlDocuments(f);
            assertFalse(docs.isEmpty(), f + " holds no YAML document");
            for (JsonNode doc : docs) {
                assertTrue(doc.isObject() && doc.size() > 0, f + ": every document is a non-empty map");
            }
        }
    }

    @Test
    void everyJsonFileParses() throws IOException {
        List<Path> files = assets(".json");
        assertFalse(files.isEmpty());
        for (Path f : files) {
            JsonNode doc = Assets.JSON.readTree(f.toFile());
            assertTrue(doc.isObject() && doc.size() > 0, f + " is a non-empty JSON object");
        }
    }

    @Test
    void everyKubernetesManifestHasApiVersionKindAndName() {
        for (JsonNode doc : Assets.k8sDocuments()) {
            assertFalse(doc.path("apiVersion").asText().isEmpty(), "apiVersion missing: " + doc);
            assertFalse(doc.path("kind").asText().isEmpty(), "kind missing: " + doc);
            assertFalse(doc.path("metadata").path("name").asText().isEmpty(), "metadata.name missing: " + doc);
            assertTrue(doc.path("metadata").path("namespace").isMissingNode(),
                    "manifests take their namespace from kubectl apply -n, so that they can go anywhere: " + doc);
        }
    }
}
