package dev.framewise.cluster;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.GlobalConfiguration;
import org.apache.flink.configuration.IllegalConfigurationException;
import org.apache.flink.runtime.clusterframework.TaskExecutorProcessSpec;
import org.apache.flink.runtime.clusterframework.TaskExecutorProcessUtils;
import org.apache.flink.runtime.jobmanager.JobManagerProcessSpec;
import org.apache.flink.runtime.jobmanager.JobManagerProcessUtils;
import org.apache.flink.runtime.util.config.memory.ProcessMemoryUtils;

/**
 * The Flink configuration of a local cluster ({@code conf/config.yaml} and {@code
 * conf/log4j.properties}), and the JVM arguments Flink's own start scripts would derive from it.
 * The choices follow deploy/flink/config.yaml (slots, class loading, checkpoints, restarts,
 * memory), sized for one machine and bound to 127.0.0.1.
 */
final class FlinkConf {
    static final String HOST = "127.0.0.1";
    static final int SLOTS_PER_TASKMANAGER = 2;

    /** Flink's --add-opens list for Java 17, from the distribution's own conf/config.yaml (env.java.opts.all). */
    static final String JAVA_17_OPTIONS = String.join(" ",
            "--add-exports=java.base/sun.net.util=ALL-UNNAMED",
            "--add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED",
            "--add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED",
            "--add-opens=java.base/java.lang=ALL-UNNAMED",
            "--add-opens=java.base/java.net=ALL-UNNAMED",
            "--add-opens=java.base/java.io=ALL-UNNAMED",
            "--add-opens=java.base/java.nio=ALL-UNNAMED",
            "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
            "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
            "--add-opens=java.base/java.text=ALL-UNNAMED",
            "--add-opens=java.base/java.time=ALL-UNNAMED",
            "--add-opens=java.base/java.util=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED");

    private static final String LOG4J = """
            # Written by framewise cluster up. Each Flink process logs to the file in -Dlog.file (logs/).
            monitorInterval = 30
            rootLogger.level = INFO
            rootLogger.appenderRef.file.ref = MainAppender
            appender.main.name = MainAppender
            appender.main.type = RollingFile
            appender.main.append = true
            appender.main.fileName = ${sys:log.file}
            appender.main.filePattern = ${sys:log.file}.%i
            appender.main.layout.type = PatternLayout
            appender.main.layout.pattern = %d{yyyy-MM-dd HH:mm:ss,SSS} %-5p %-60c %x - %m%n
            appender.main.policies.type = Policies
            appender.main.policies.size.type = SizeBasedTriggeringPolicy
            appender.main.policies.size.size = 100MB
            appender.main.strategy.type = DefaultRolloverStrategy
            appender.main.strategy.max = 5
            # Every Kafka client's configuration, value by value, at every (re)start of a source or sink.
            logger.kafkaconfig.name = org.apache.kafka.common.config.AbstractConfig
            logger.kafkaconfig.level = WARN
            logger.netty.name = org.apache.flink.shaded.netty4.io.netty.channel.DefaultChannelPipeline
            logger.netty.level = ERROR
            """;

    private FlinkConf() {
    }

    /** The settings of a fresh cluster, in the order a person reads them; {@code overrides} win. */
    static Map<String, String> settings(ClusterDirectory dir, int rpcPort, int restPort, Map<String, String> overrides) {
        Map<String, String> s = new LinkedHashMap<>();
        // Everything on the loopback address: nothing outside this machine reaches the cluster.
        s.put("jobmanager.rpc.address", HOST);
        s.put("jobmanager.rpc.port", Integer.toString(rpcPort));
        s.put("jobmanager.bind-host", HOST);
        s.put("taskmanager.bind-host", HOST);
        s.put("taskmanager.host", HOST);
        s.put("rest.address", HOST);
        s.put("rest.bind-address", HOST);
        s.put("rest.port", Integer.toString(restPort));
        // As in deploy/flink/config.yaml: 2 slots per TaskManager; ONNX Runtime and JavaCV come from
        // the cluster's class path, parent-first, loaded once per JVM whatever the jobs' restarts.
        s.put("taskmanager.numberOfTaskSlots", Integer.toString(SLOTS_PER_TASKMANAGER));
        s.put("classloader.parent-first-patterns.additional", "ai.onnxruntime.;org.bytedeco.");
        // Spread a job's slots over the TaskManagers rather than filling one first.
        s.put("taskmanager.load-balance.mode", "SLOTS");
        s.put("state.backend.type", "hashmap");
        s.put("execution.checkpointing.storage", "filesystem");
        s.put("execution.checkpointing.dir", dir.checkpoints().toUri().toString());
        s.put("execution.checkpointing.savepoint-dir", dir.savepoints().toUri().toString());
        s.put("execution.checkpointing.externalized-checkpoint-retention", "RETAIN_ON_CANCELLATION");
        s.put("execution.checkpointing.num-retained", "3");
        // Restarts as in deploy/flink/config.yaml, but at most 10 s apart: on one machine a lost
        // TaskManager or broker is back in seconds.
        s.put("restart-strategy.type", "exponential-delay");
        s.put("restart-strategy.exponential-delay.initial-backoff", "1 s");
        s.put("restart-strategy.exponential-delay.max-backoff", "10 s");
        s.put("restart-strategy.exponential-delay.backoff-multiplier", "2.0");
        s.put("restart-strategy.exponential-delay.reset-backoff-threshold", "10 min");
        s.put("restart-strategy.exponential-delay.attempts-before-reset-backoff", "20");
        s.put("restart-strategy.exponential-delay.jitter-factor", "0.1");
        // A killed TaskManager's heartbeats fail at once: two missed ones (4 s) and its tasks restart.
        s.put("heartbeat.interval", "2 s");
        s.put("heartbeat.timeout", "20 s");
        // Memory as in deploy/flink/config.yaml: ONNX Runtime's sessions and FFmpeg's decoders live
        // outside the heap (task off-heap); nothing uses managed memory, which would take the heap's share.
        s.put("jobmanager.memory.process.size", "1600m");
        s.put("taskmanager.memory.process.size", "2048m");
        s.put("taskmanager.memory.task.off-heap.size", "512m");
        s.put("taskmanager.memory.managed.size", "64m");
        s.put("io.tmp.dirs", dir.tmp().toString());
        s.put("web.tmpdir", dir.tmp().resolve("web").toString());
        s.put("env.java.opts.all", JAVA_17_OPTIONS);
        s.putAll(overrides);
        return s;
    }

    /** Writes conf/config.yaml and conf/log4j.properties, and checks that Flink reads them. */
    static Configuration write(ClusterDirectory dir, Map<String, String> settings) throws IOException {
        Files.createDirectories(dir.conf());
        StringBuilder yaml = new StringBuilder("""
                # Written by framewise cluster up when the cluster starts from nothing: edits do not last.
                # Change settings with framewise cluster up -D key=value (after framewise cluster down).
                """);
        settings.forEach((k, v) -> yaml.append(k).append(": '").append(v.replace("'", "''")).append("'\n"));
        Files.writeString(dir.conf().resolve(GlobalConfiguration.FLINK_CONF_FILENAME), yaml, StandardCharsets.UTF_8);
        Files.writeString(dir.conf().resolve("log4j.properties"), LOG4J, StandardCharsets.UTF_8);
        Configuration conf = load(dir);
        // Sizing now, where a bad memory setting is one clear line, rather than in a process that dies.
        jobManagerArguments(conf);
        taskManagerArguments(conf);
        return conf;
    }

    static Configuration load(ClusterDirectory dir) {
        return GlobalConfiguration.loadConfiguration(dir.conf().toString());
    }

    /** JVM options and dynamic settings of the JobManager, as {@code BashJavaUtils GET_JM_RESOURCE_PARAMS} derives them. */
    static Arguments jobManagerArguments(Configuration conf) {
        try {
            JobManagerProcessSpec spec = JobManagerProcessUtils.processSpecFromConfig(conf);
            return new Arguments(join(words(JobManagerProcessUtils.generateJvmParametersStr(spec, conf)),
                    javaOptions(conf, CoreOptions.FLINK_JM_JVM_OPTIONS)),
                    words(JobManagerProcessUtils.generateDynamicConfigsStr(spec)));
        } catch (IllegalConfigurationException e) {
            throw new ClusterException("the JobManager's memory settings do not add up: " + e.getMessage());
        }
    }

    /** JVM options and dynamic settings of a TaskManager, as {@code BashJavaUtils GET_TM_RESOURCE_PARAMS} derives them. */
    static Arguments taskManagerArguments(Configuration conf) {
        try {
            TaskExecutorProcessSpec spec = TaskExecutorProcessUtils.processSpecFromConfig(conf);
            return new Arguments(join(words(ProcessMemoryUtils.generateJvmParametersStr(spec)),
                    javaOptions(conf, CoreOptions.FLINK_TM_JVM_OPTIONS)),
                    words(TaskExecutorProcessUtils.generateDynamicConfigsStr(spec)));
        } catch (IllegalConfigurationException e) {
            throw new ClusterException("the TaskManagers' memory settings do not add up: " + e.getMessage()
                    + " (taskmanager.memory.process.size must leave room for task.off-heap, managed and network memory)");
        }
    }

    /** env.java.opts.all, then the role's own options. */
    private static List<String> javaOptions(Configuration conf, org.apache.flink.configuration.ConfigOption<String> role) {
        return join(words(conf.get(CoreOptions.FLINK_JVM_OPTIONS)), words(conf.get(role)));
    }

    /**
     * A Flink process's arguments.
     *
     * @param jvm options for the java command (memory sizes, --add-opens)
     * @param dynamic {@code -D key=value} settings after the main class, the memory sizes derived
     */
    record Arguments(List<String> jvm, List<String> dynamic) {
    }

    private static List<String> words(String s) {
        return s == null || s.isBlank() ? List.of() : List.of(s.strip().split("\\s+"));
    }

    private static List<String> join(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }
}
