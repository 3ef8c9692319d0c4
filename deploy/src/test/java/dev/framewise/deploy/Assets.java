package dev.framewise.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.GlobalConfiguration;
import org.yaml.snakeyaml.Yaml;

/** The deploy assets on disk, and small helpers to read them the way their consumers do. */
final class Assets {
    private Assets() {
    }

    static final ObjectMapper JSON = new ObjectMapper();

    /** The deploy module's folder (surefire runs tests there). */
    static Path deploy() {
        Path dir = Path.of(System.getProperty("basedir", ".")).toAbsolutePath().normalize();
        assertTrue(Files.isRegularFile(dir.resolve("flink/config.yaml")), "not the deploy module: " + dir);
        return dir;
    }

    static Path repo() {
        return deploy().getParent();
    }

    static Path dockerfile() {
        return deploy().resolve("docker/Dockerfile");
    }

    static Path compose() {
        return deploy().resolve("compose/docker-compose.yml");
    }

    static Path flinkConfig() {
        return deploy().resolve("flink/config.yaml");
    }

    static Path framewiseYaml() {
        return deploy().resolve("framewise.yaml");
    }

    static Path dashboard() {
        return deploy().resolve("grafana/framewise-dashboard.json");
    }

    static Path prometheus() {
        return deploy().resolve("prometheus/prometheus.yml");
    }

    static Path k8s() {
        return deploy().resolve("k8s");
    }

    static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A YAML file as a tree, read by a full YAML parser (SnakeYAML: anchors, aliases and merge keys, as
     * docker compose, kubectl and Prometheus read them; Jackson's YAML reader leaves merge keys unresolved).
     */
    static JsonNode yaml(Path file) {
        List<JsonNode> docs = yamlDocuments(file);
        assertEquals(1, docs.size(), file + " holds one YAML document");
        return docs.get(0);
    }

    /** Every document of a multi-document YAML file (Kubernetes manifests), empty ones left out. */
    static List<JsonNode> yamlDocuments(Path file) {
        List<JsonNode> docs = new ArrayList<>();
        try {
            for (Object doc : new Yaml().loadAll(read(file))) {
                if (doc != null) {
                    docs.add(JSON.valueToTree(doc));
                }
            }
        } catch (RuntimeException e) {
            throw new AssertionError("cannot parse " + file + ": " + e.getMessage(), e);
        }
        return docs;
    }

    /** Every Kubernetes manifest in deploy/k8s. */
    static List<JsonNode> k8sDocuments() {
        List<JsonNode> docs = new ArrayList<>();
        try (Stream<Path> files = Files.list(k8s())) {
            files.filter(f -> f.toString().endsWith(".yaml")).sorted().forEach(f -> docs.addAll(yamlDocuments(f)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return docs;
    }

    /** The one Kubernetes object of this kind and name (any name if null). */
    static JsonNode k8sObject(String kind, String name) {
        List<JsonNode> found = k8sDocuments().stream()
                .filter(d -> kind.equals(d.path("kind").asText()))
                .filter(d -> name == null || name.equals(d.path("metadata").path("name").asText()))
                .toList();
        assertEquals(1, found.size(), "exactly one " + kind + (name == null ? "" : " " + name) + " in deploy/k8s");
        return found.get(0);
    }

    /**
     * A YAML tree as dotted keys, the way the job's ConfigSource and Flink read nested maps: {@code
     * batch: {max-size: 8}} is {@code batch.max-size: 8}.
     */
    static Map<String, String> flatten(JsonNode node) {
        Map<String, String> out = new LinkedHashMap<>();
        flatten("", node, out);
        return out;
    }

    private static void flatten(String prefix, JsonNode node, Map<String, String> out) {
        node.properties().forEach(e -> {
            String key = prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey();
            if (e.getValue().isObject()) {
                flatten(key, e.getValue(), out);
            } else {
                out.put(key, e.getValue().asText());
            }
        });
    }

    /** deploy/flink/config.yaml as Flink itself reads a config.yaml. */
    static Configuration flinkConfiguration() {
        Configuration config = GlobalConfiguration.loadConfiguration(flinkConfig().getParent().toString());
        assertNotNull(config);
        return config;
    }

    /** Writes text to a file in {@code dir}, e.g. a ConfigMap's framewise.yaml for the job's parser. */
    static Path writeTemp(Path dir, String name, String content) {
        try {
            Path file = dir.resolve(name);
            Files.writeString(file, content);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
