package dev.framewise.job;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Settings as the user wrote them, each with where it came from (a YAML file or a flag), so that an
 * error can point at it. Later sources override earlier ones.
 */
public final class ConfigSource {
    /** A raw value and its origin, e.g. {@code config.yaml} or {@code --batch-size}. */
    public record Entry(String value, String origin) {
    }

    private final Map<String, Entry> entries = new LinkedHashMap<>();

    public Map<String, Entry> entries() {
        return entries;
    }

    public ConfigSource set(String key, String value, String origin) {
        entries.put(key, new Entry(value, origin));
        return this;
    }

    /** Adds {@code key=value} as given with {@code -D} / {@code --set}. */
    public ConfigSource setAssignment(String assignment, String origin) {
        int eq = assignment.indexOf('=');
        if (eq <= 0) {
            throw new ConfigException("'" + assignment + "' (" + origin + ") is not key=value, e.g. batch.max-size=16");
        }
        return set(assignment.substring(0, eq).strip(), assignment.substring(eq + 1).strip(), origin);
    }

    /**
     * Adds a YAML file's settings. Nesting and dotted keys are the same thing: {@code batch:
     * {max-size: 16}} is {@code batch.max-size: 16}.
     */
    public ConfigSource addYaml(Path file) {
        String name = file.getFileName().toString();
        JsonNode root;
        try {
            root = new ObjectMapper(new YAMLFactory()).readTree(Files.readString(file));
        } catch (NoSuchFileException e) {
            throw new ConfigException("configuration file " + file + " does not exist");
        } catch (JsonProcessingException e) {
            throw new ConfigException("configuration file " + file + " is not valid YAML: "
                    + e.getOriginalMessage().lines().findFirst().orElse("") + location(e));
        } catch (IOException e) {
            throw new ConfigException("cannot read configuration file " + file + ": " + e.getMessage(), e);
        }
        if (root == null || root.isNull() || root.isMissingNode()) {
            return this;
        }
        if (!root.isObject()) {
            throw new ConfigException("configuration file " + file + " must hold key: value settings at its top level");
        }
        flatten("", root, name);
        return this;
    }

    private void flatten(String prefix, JsonNode node, String origin) {
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            String key = prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey();
            JsonNode v = e.getValue();
            if (v.isObject()) {
                flatten(key, v, origin);
            } else if (v.isArray()) {
                throw new ConfigException(key + " (in " + origin + ") is a list; write a single value, e.g. host1:9092,host2:9092");
            } else if (v.isNull()) {
                throw new ConfigException(key + " (in " + origin + ") has no value");
            } else {
                set(key, v.asText(), origin);
            }
        }
    }

    private static String location(JsonProcessingException e) {
        return e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ")";
    }
}
