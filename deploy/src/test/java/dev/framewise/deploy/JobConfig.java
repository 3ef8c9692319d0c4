package dev.framewise.deploy;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.framewise.job.ConfigException;
import dev.framewise.job.ConfigSource;
import dev.framewise.job.FramewiseOptions;
import dev.framewise.job.JobArguments;
import dev.framewise.job.JobSettings;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.flink.configuration.ConfigOption;

/** Checks deploy files against the job's own settings: its option list and its parser. */
final class JobConfig {
    private JobConfig() {
    }

    /** Every key the job knows (FramewiseOptions.ALL). */
    static Set<String> knownKeys() {
        return FramewiseOptions.ALL.stream().map(ConfigOption::key).collect(Collectors.toCollection(TreeSet::new));
    }

    /**
     * Every key is one of the job's options or a Kafka client property. The job also accepts flink.*,
     * but only its local MiniCluster reads those: on a real cluster they would be silently ignored.
     */
    static void assertOnlyKnownKeys(Map<String, String> flat, String where) {
        Set<String> known = knownKeys();
        for (String key : flat.keySet()) {
            if (key.startsWith(FramewiseOptions.FLINK_PREFIX)) {
                fail(where + ": " + key + " only configures framewise run's local cluster; on a Flink cluster put Flink"
                        + " settings in the Flink configuration");
            }
            assertTrue(known.contains(key) || key.startsWith(FramewiseOptions.KAFKA_PROPERTIES_PREFIX),
                    where + ": '" + key + "' is not a setting of the job; it knows " + known);
        }
    }

    /** The file through the job's own parser: what --config FILE does (the model file is not read). */
    static JobSettings parse(Path yaml) {
        try {
            return JobSettings.from(new ConfigSource().addYaml(yaml));
        } catch (ConfigException e) {
            throw new AssertionError(yaml + " is refused by the job: " + e.getMessage(), e);
        }
    }

    /**
     * The job's command line as its main parses it, with the --config file (a path inside a container)
     * replaced by the local file that will be there.
     */
    static JobSettings parseArgs(List<String> args, Path localConfig) {
        List<String> local = new ArrayList<>(args);
        int i = local.indexOf("--config");
        if (i >= 0) {
            local.set(i + 1, localConfig.toString());
        }
        try {
            return JobArguments.parse(local.toArray(String[]::new));
        } catch (ConfigException e) {
            throw new AssertionError("the job refuses its arguments " + args + ": " + e.getMessage(), e);
        }
    }

    /** The value that follows a flag in a command line, e.g. the file after --config. */
    static String argument(List<String> args, String flag) {
        int i = args.indexOf(flag);
        assertTrue(i >= 0 && i + 1 < args.size(), flag + " is missing from " + args);
        return args.get(i + 1);
    }
}
