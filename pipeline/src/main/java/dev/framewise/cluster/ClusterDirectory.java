package dev.framewise.cluster;

import java.nio.file.Path;

/**
 * The folder of a local cluster: {@code cluster.json} (its processes and ports), {@code conf/}
 * (Flink's configuration, written at a fresh start), {@code logs/} (one log and one stdout file per
 * process), {@code kafka/} (the broker's data), {@code checkpoints/}, {@code savepoints/} and
 * {@code tmp/} (Flink's working files and uploaded jars). Data and logs outlive the processes.
 */
record ClusterDirectory(Path root) {
    ClusterDirectory {
        root = root.toAbsolutePath().normalize();
    }

    Path stateFile() {
        return root.resolve("cluster.json");
    }

    Path lockFile() {
        return root.resolve(".lock");
    }

    Path conf() {
        return root.resolve("conf");
    }

    Path logs() {
        return root.resolve("logs");
    }

    Path kafkaData() {
        return root.resolve("kafka");
    }

    Path checkpoints() {
        return root.resolve("checkpoints");
    }

    Path savepoints() {
        return root.resolve("savepoints");
    }

    Path tmp() {
        return root.resolve("tmp");
    }

    /** The log4j log of a process: {@code kafka.log}, {@code jobmanager.log}, {@code taskmanager-tm1.log}. */
    Path log(String name) {
        return logs().resolve(name + ".log");
    }

    /** What a Flink process writes to stdout and stderr; Flink's web UI shows it next to the log. */
    Path out(String name) {
        return logs().resolve(name + ".out");
    }
}
