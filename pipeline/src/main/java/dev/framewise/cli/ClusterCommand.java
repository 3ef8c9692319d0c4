package dev.framewise.cli;

import dev.framewise.cluster.ClusterState;
import dev.framewise.cluster.LocalCluster;
import dev.framewise.cluster.LocalCluster.MemberStatus;
import dev.framewise.job.ConfigSource;
import dev.framewise.results.TableFormatter;
import dev.framewise.results.TableFormatter.Column;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code framewise cluster up|status|down}: a real Flink cluster and Kafka broker on this machine, as separate processes. */
@Command(name = "cluster", mixinStandardHelpOptions = true,
        description = {"A real Flink cluster (a JobManager and TaskManagers) and a Kafka broker on this machine, as separate"
                + " processes that keep running after the command returns. Submit jobs with framewise run --target."},
        subcommands = {ClusterCommand.Up.class, ClusterCommand.Status.class, ClusterCommand.Down.class})
final class ClusterCommand {
    static final String DEFAULT_DIR = ".framewise/cluster";

    @Command(name = "up", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Start the local cluster, or whatever part of it is not running: a TaskManager that died is"
                    + " replaced, a stopped broker restarted on its data, and --taskmanagers adds TaskManagers.",
                "Returns once the broker answers and every TaskManager has registered with the JobManager."})
    static final class Up implements Callable<Integer> {
        @Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--dir", paramLabel = "DIR", defaultValue = DEFAULT_DIR,
                description = "The cluster's folder: state, configuration, logs, data (default: ${DEFAULT-VALUE}).")
        Path dir;

        @Option(names = "--taskmanagers", paramLabel = "N",
                description = "TaskManagers to run, 2 slots each (default: as many as before, else "
                        + LocalCluster.DEFAULT_TASKMANAGERS + ").")
        Integer taskManagers;

        @Option(names = "--rest-port", paramLabel = "N",
                description = "The JobManager's REST port and web UI; 0 for any free port (default: " + LocalCluster.DEFAULT_REST_PORT
                        + " or the last one used here if free, else any).")
        Integer restPort;

        @Option(names = "--kafka-port", paramLabel = "N",
                description = "The broker's port; 0 for any free port (default: " + LocalCluster.DEFAULT_KAFKA_PORT
                        + " or the last one used here if free, else any).")
        Integer kafkaPort;

        @Option(names = {"-D", "--set"}, paramLabel = "KEY=VALUE",
                description = "A Flink setting for a cluster that starts from nothing, e.g. -D taskmanager.memory.process.size=1536m.")
        List<String> assignments = new ArrayList<>();

        @Override
        public Integer call() throws InterruptedException {
            if (taskManagers != null && taskManagers < 1) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--taskmanagers must be at least 1");
            }
            checkPort("--rest-port", restPort);
            checkPort("--kafka-port", kafkaPort);
            Map<String, String> settings = new LinkedHashMap<>();
            ConfigSource source = new ConfigSource();
            for (String a : assignments) {
                source.setAssignment(a, "-D " + a);
            }
            source.entries().forEach((k, v) -> settings.put(k, v.value()));

            PrintWriter out = spec.commandLine().getOut();
            out.println("Local cluster in " + dir + ": starting what is not running ...");
            out.flush();
            LocalCluster cluster = new LocalCluster(dir);
            Thread main = Thread.currentThread();
            // Ctrl-C while starting stops what this command started, rather than leaving it unrecorded.
            AtomicBoolean starting = new AtomicBoolean(true);
            LocalCluster.UpReport report;
            try (StopSignals signals = StopSignals.install(() -> {
                synchronized (starting) {
                    if (starting.get()) {
                        main.interrupt();
                    }
                }
            })) {
                try {
                    report = cluster.up(taskManagers, new LocalCluster.PortChoice(restPort, kafkaPort), settings);
                } catch (InterruptedException e) {
                    out.println(signals.received().getNow("Interrupted") + " while starting: what this command started"
                            + " is stopped again.");
                    out.flush();
                    return 1;
                } finally {
                    synchronized (starting) {
                        starting.set(false);
                        Thread.interrupted();
                    }
                }
            }
            if (report.started().isEmpty()) {
                out.println("Already up: nothing to start.");
            } else {
                out.printf(Locale.ROOT, "Started %s in %.1f s.%n", processes(report.started()),
                        report.took().toNanos() / 1e9);
            }
            printStatus(out, report.status(), dir);
            out.println("framewise run --target " + report.status().restAddress() + " --bootstrap "
                    + report.status().kafkaBootstrap() + " submits the job; framewise cluster down stops everything.");
            out.flush();
            return report.status().healthy() ? 0 : 1;
        }

        private void checkPort(String name, Integer port) {
            if (port != null && (port < 0 || port > 65535)) {
                throw new CommandLine.ParameterException(spec.commandLine(), name + " must be between 0 and 65535");
            }
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true,
            description = {"Show each process of the local cluster and its health, the web UI and Kafka addresses, and"
                    + " where the logs are. Exit status 0 when everything runs and answers, 1 otherwise."})
    static final class Status implements Callable<Integer> {
        @Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--dir", paramLabel = "DIR", defaultValue = DEFAULT_DIR,
                description = "The cluster's folder (default: ${DEFAULT-VALUE}).")
        Path dir;

        @Override
        public Integer call() throws InterruptedException {
            LocalCluster.Status status = new LocalCluster(dir).status();
            PrintWriter out = spec.commandLine().getOut();
            if (status.members().isEmpty()) {
                out.println("Local cluster in " + dir + ": not running (framewise cluster up starts it); logs in "
                        + dir.resolve("logs") + ".");
                out.flush();
                return 1;
            }
            out.println("Local cluster in " + dir + ":");
            printStatus(out, status, dir);
            out.flush();
            return status.healthy() ? 0 : 1;
        }
    }

    @Command(name = "down", mixinStandardHelpOptions = true,
            description = {"Stop every process of the local cluster: SIGTERM, then SIGKILL for any still running after"
                    + " 30 s. Jobs running on it stop too. Logs, Kafka's data and checkpoints stay in the folder."})
    static final class Down implements Callable<Integer> {
        @Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--dir", paramLabel = "DIR", defaultValue = DEFAULT_DIR,
                description = "The cluster's folder (default: ${DEFAULT-VALUE}).")
        Path dir;

        @Override
        public Integer call() throws InterruptedException {
            PrintWriter out = spec.commandLine().getOut();
            LocalCluster.DownReport report = new LocalCluster(dir).down();
            if (report.stopped().isEmpty()) {
                out.println("Nothing was running in " + dir + ".");
                out.flush();
                return 0;
            }
            List<String> killed = new ArrayList<>();
            report.stopped().forEach((m, clean) -> {
                if (!clean) {
                    killed.add(m.name());
                }
            });
            out.printf(Locale.ROOT, "Stopped %s in %.1f s%s.%n", processes(report.stopped().keySet()),
                    report.took().toNanos() / 1e9,
                    killed.isEmpty() ? "" : "; killed after 30 s: " + String.join(", ", killed));
            if (report.jobsStopped() > 0) {
                out.println(report.jobsStopped() + " running job(s) stopped with the cluster (their last checkpoints are"
                        + " kept in " + dir.resolve("checkpoints") + ").");
            }
            out.println("Logs and data kept in " + dir + "; framewise cluster up starts it again.");
            out.flush();
            return killed.isEmpty() ? 0 : 1;
        }
    }

    /** E.g. "JobManager (pid 1529), TaskManager tm1 (pid 1541)". */
    private static String processes(Collection<ClusterState.Member> members) {
        return String.join(", ", members.stream().map(m -> describe(m.role(), m.name()) + " (pid " + m.pid() + ")")
                .toList());
    }

    private static String describe(String role, String name) {
        return switch (role) {
            case ClusterState.KAFKA -> "Kafka broker";
            case ClusterState.JOBMANAGER -> "JobManager";
            default -> "TaskManager " + name;
        };
    }

    /** The table of processes, then the addresses; {@code dir} as the user named it. */
    static void printStatus(PrintWriter out, LocalCluster.Status status, Path dir) {
        List<List<String>> rows = new ArrayList<>();
        for (MemberStatus m : status.members()) {
            rows.add(List.of(m.role(), m.name(), Long.toString(m.pid()), m.address().isEmpty() ? "-" : m.address(),
                    m.detail()));
        }
        out.print(new TableFormatter(Column.left("role"), Column.left("name"), Column.right("pid"), Column.left("address"),
                Column.left("health")).render(rows));
        out.println("Flink web UI:    " + status.webUi());
        out.println("Kafka bootstrap: " + status.kafkaBootstrap());
        out.println("Logs:            " + dir.resolve("logs"));
    }
}
