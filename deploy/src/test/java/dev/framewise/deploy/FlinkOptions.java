package dev.framewise.deploy;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.FallbackKey;
import org.apache.flink.configuration.HighAvailabilityOptions;
import org.apache.flink.configuration.JobManagerOptions;
import org.apache.flink.configuration.MetricOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.configuration.TaskManagerOptions;

/**
 * The keys Flink 2.2 itself defines, read from its option classes, so that a misspelt or removed key
 * (Flink 2.0 dropped many 1.x names) fails here instead of being ignored by a cluster.
 */
final class FlinkOptions {
    private FlinkOptions() {
    }

    private static final List<Class<?>> OPTION_CLASSES = List.of(CoreOptions.class, TaskManagerOptions.class,
            JobManagerOptions.class, CheckpointingOptions.class, StateBackendOptions.class, RestartStrategyOptions.class,
            MetricOptions.class, HighAvailabilityOptions.class);

    private static final String REPORTER_PREFIX = "metrics.reporter.";

    /** Options of a metric reporter, after metrics.reporter.<name>.: Flink's own, and the Prometheus reporter's port. */
    private static final Set<String> REPORTER_KEYS = Set.of(MetricOptions.REPORTER_FACTORY_CLASS.key(),
            MetricOptions.REPORTER_INTERVAL.key(), "port");

    /** Current key to option, and each deprecated key to the key that replaced it. */
    private static final Map<String, ConfigOption<?>> CURRENT = new HashMap<>();
    private static final Map<String, String> DEPRECATED = new HashMap<>();

    static {
        for (Class<?> c : OPTION_CLASSES) {
            for (Field f : c.getFields()) {
                if (Modifier.isStatic(f.getModifiers()) && ConfigOption.class.isAssignableFrom(f.getType())) {
                    try {
                        ConfigOption<?> option = (ConfigOption<?>) f.get(null);
                        CURRENT.put(option.key(), option);
                        for (FallbackKey k : option.fallbackKeys()) {
                            DEPRECATED.putIfAbsent(k.getKey(), option.key());
                        }
                    } catch (IllegalAccessException e) {
                        throw new IllegalStateException(e);
                    }
                }
            }
        }
        DEPRECATED.keySet().removeAll(CURRENT.keySet());
    }

    /** Every key is a current Flink 2.2 option (or a reporter's), none a deprecated or unknown one. */
    static void assertKnown(Set<String> keys, String where, Set<String> otherAllowedPrefixes) {
        Set<String> seen = new HashSet<>();
        for (String key : keys) {
            assertTrue(seen.add(key), where + ": " + key + " twice");
            if (DEPRECATED.containsKey(key)) {
                fail(where + ": " + key + " is a deprecated name; Flink 2.2 calls it " + DEPRECATED.get(key));
            }
            if (key.startsWith(REPORTER_PREFIX)) {
                String rest = key.substring(REPORTER_PREFIX.length());
                int dot = rest.indexOf('.');
                assertTrue(dot > 0 && REPORTER_KEYS.contains(rest.substring(dot + 1)),
                        where + ": " + key + " is not an option of a metric reporter " + REPORTER_KEYS);
                continue;
            }
            if (otherAllowedPrefixes.stream().anyMatch(key::startsWith)) {
                continue;
            }
            assertTrue(CURRENT.containsKey(key), where + ": '" + key + "' is not a Flink 2.2 option");
        }
    }
}
