package dev.framewise.cluster;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What {@code framewise cluster} records about a local cluster in {@code cluster.json}: its ports
 * and its processes, so that later commands, in other JVMs, find and stop them.
 *
 * @param restPort the JobManager's REST port (web UI)
 * @param rpcPort the JobManager's RPC port, which TaskManagers connect to
 * @param kafkaPort the broker's client port
 * @param members the processes started, dead or alive
 */
public record ClusterState(int restPort, int rpcPort, int kafkaPort, List<Member> members) {
    public static final String KAFKA = "kafka";
    public static final String JOBMANAGER = "jobmanager";
    public static final String TASKMANAGER = "taskmanager";

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public ClusterState {
        members = List.copyOf(members);
    }

    /**
     * One process of the cluster.
     *
     * @param role {@value #KAFKA}, {@value #JOBMANAGER} or {@value #TASKMANAGER}
     * @param name {@code kafka}, {@code jobmanager}, or a TaskManager's resource id ({@code tm1}, ...)
     * @param pid its process id
     * @param started when it started, as the operating system tells it: a pid reused by another
     *     process after this one ended has another start time
     * @param log its log file
     */
    public record Member(String role, String name, long pid, String started, String log) {
        static Member of(String role, String name, ProcessHandle process, Path log) {
            return new Member(role, name, process.pid(),
                    process.info().startInstant().map(Instant::toString).orElse(""), log.toString());
        }

        /** The process, while it runs: the same pid and the same start time. */
        Optional<ProcessHandle> process() {
            return ProcessHandle.of(pid).filter(ProcessHandle::isAlive)
                    .filter(p -> started.isEmpty() || p.info().startInstant().map(Instant::toString).orElse("").equals(started));
        }

        boolean alive() {
            return process().isPresent();
        }
    }

    List<Member> byRole(String role) {
        return members.stream().filter(m -> m.role().equals(role)).toList();
    }

    ClusterState with(Member member) {
        List<Member> all = new ArrayList<>(members.stream().filter(m -> !m.name().equals(member.name())).toList());
        all.add(member);
        return new ClusterState(restPort, rpcPort, kafkaPort, all);
    }

    ClusterState withMembers(List<Member> kept) {
        return new ClusterState(restPort, rpcPort, kafkaPort, kept);
    }

    static Optional<ClusterState> read(ClusterDirectory dir) {
        Path file = dir.stateFile();
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        try {
            return Optional.of(JSON.readValue(file.toFile(), ClusterState.class));
        } catch (IOException e) {
            throw new ClusterException("cannot read " + file + " (" + e.getMessage().lines().findFirst().orElse("")
                    + "): stop the cluster's processes yourself if any run, then delete the file");
        }
    }

    /** Writes the state whole or not at all, so a command interrupted mid-way leaves the last good one. */
    void write(ClusterDirectory dir) throws IOException {
        Files.createDirectories(dir.root());
        Path tmp = dir.root().resolve("cluster.json.tmp");
        JSON.writeValue(tmp.toFile(), this);
        Files.move(tmp, dir.stateFile(), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
