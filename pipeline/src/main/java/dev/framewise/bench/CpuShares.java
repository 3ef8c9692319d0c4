package dev.framewise.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where this JVM's CPU went over a measurement, as shares of the machine, by part: the job's task
 * threads, its Kafka clients, the broker, Flink, the bench's own threads, the JIT compilers and
 * GC. Thread CPU times come from the JVM; what no Java thread accounts for (the JVM's own threads,
 * native threads) is the rest of the process's CPU time.
 */
final class CpuShares {

    /** The parts, in report order; a thread belongs to the first whose name test matches. */
    enum Part {
        TASKS("task threads (Kafka records in, decode, inference, results out)"),
        SOURCE_FETCHERS("Kafka consumers' fetcher and heartbeat threads (the source's)"),
        PRODUCER_IO("Kafka producers' I/O threads (the results sink, the load generator)"),
        RESULT_READER("the bench's result reader"),
        BENCH_DRIVER("the bench's own thread (the load generator's sends) and its reads of Flink's metrics"),
        RAW_SESSIONS("raw ONNX Runtime sessions"),
        BROKER("the broker"),
        FLINK("Flink's runtime"),
        JIT("JIT compilers"),
        GC("GC"),
        OTHER("other (the JVM's own threads, native, unnamed)");

        final String label;

        Part(String label) {
            this.label = label;
        }

        static Part of(String threadName) {
            if (threadName.startsWith("Source Data Fetcher")) {
                return SOURCE_FETCHERS;
            }
            if (threadName.startsWith("Time Trigger")) {
                return FLINK; // a task's timer thread: it fires timers into the task's mailbox
            }
            if (threadName.startsWith("Source: ") || threadName.contains(" -> ")) {
                return TASKS;
            }
            if (threadName.startsWith("kafka-producer-network-thread")) {
                return PRODUCER_IO;
            }
            if (threadName.startsWith("kafka-coordinator-heartbeat-thread")) {
                return SOURCE_FETCHERS; // a consumer's: the source's (or the result reader's, a tenth of its work)
            }
            if (threadName.startsWith("framewise-bench-results")) {
                return RESULT_READER;
            }
            if (threadName.equals("main") || threadName.startsWith("HttpClient-")) {
                return BENCH_DRIVER; // the command line's thread runs the bench; java.net.http's, its REST reads
            }
            if (threadName.startsWith("bench-") && threadName.endsWith("-driver")) {
                return RAW_SESSIONS;
            }
            for (String p : BROKER_PREFIXES) {
                if (threadName.startsWith(p)) {
                    return BROKER;
                }
            }
            for (String p : FLINK_PREFIXES) {
                if (threadName.startsWith(p)) {
                    return FLINK;
                }
            }
            return OTHER;
        }
    }

    private static final List<String> BROKER_PREFIXES = List.of("data-plane-kafka", "kafka-", "broker-",
            "controller-", "ExpirationReaper", "raft-", "quorum-", "LogDirFailureHandler", "group-coordinator",
            "share-coordinator", "transaction-", "TxnMarkerSenderThread", "ReplicaFetcher", "ReplicaAlterLogDirs",
            "executor-", "metrics-meter-tick-thread", "log-closing", "AddPartitionsToTxn",
            "client-metrics", "persister-state-manager");

    private static final List<String> FLINK_PREFIXES = List.of("flink-", "Flink", "jobmanager-", "mini-cluster",
            "Checkpoint", "OutputFlusher", "BLOB", "Legacy Source", "SourceCoordinator", "globalEventExecutor",
            "AsyncOperations", "IOManager", "TaskManager", "netty-");

    /** A Java thread's name and CPU time so far. */
    record ThreadTime(String name, long cpuNanos) {
    }

    /** CPU times at one moment: the process's, each Java thread's by id, the JIT compilers' and GC's. */
    record Snapshot(long wallNanos, long processNanos, Map<Long, ThreadTime> threads, long jitMillis, long gcMillis) {
    }

    private CpuShares() {
    }

    static Snapshot take() {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        Map<Long, ThreadTime> times = new HashMap<>();
        for (ThreadInfo t : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (t == null) {
                continue; // ended meanwhile
            }
            long nanos = threads.getThreadCpuTime(t.getThreadId());
            if (nanos >= 0) {
                times.put(t.getThreadId(), new ThreadTime(t.getThreadName(), nanos));
            }
        }
        return new Snapshot(System.nanoTime(), PipelineBenchmark.processCpuNanos(), times, PipelineBenchmark.jitMillis(),
                PipelineBenchmark.gcMillis());
    }

    /** The whole process's CPU time between two snapshots, as a share of the machine. */
    static double processShare(Snapshot from, Snapshot to, int cores) {
        return (to.processNanos() - from.processNanos()) / ((double) (to.wallNanos() - from.wallNanos()) * cores);
    }

    /**
     * Each part's share of the machine ({@code cores} x the elapsed time) between two snapshots. A
     * thread that started meanwhile counts from zero; one that ended meanwhile lands in OTHER, as
     * its time is still in the process's.
     */
    static Map<Part, Double> between(Snapshot from, Snapshot to, int cores) {
        double machineNanos = (double) (to.wallNanos() - from.wallNanos()) * cores;
        Map<Part, Long> nanos = new LinkedHashMap<>();
        for (Part p : Part.values()) {
            nanos.put(p, 0L);
        }
        long threadsTotal = 0;
        for (Map.Entry<Long, ThreadTime> e : to.threads().entrySet()) {
            ThreadTime earlier = from.threads().get(e.getKey());
            long used = e.getValue().cpuNanos() - (earlier == null ? 0 : earlier.cpuNanos());
            if (used > 0) {
                nanos.merge(Part.of(e.getValue().name()), used, Long::sum);
                threadsTotal += used;
            }
        }
        long jit = (to.jitMillis() - from.jitMillis()) * 1_000_000;
        long gc = (to.gcMillis() - from.gcMillis()) * 1_000_000;
        nanos.put(Part.JIT, jit);
        nanos.put(Part.GC, gc);
        // Compilation and collection times are wall times of their threads; they are CPU time nearly enough.
        long rest = (to.processNanos() - from.processNanos()) - threadsTotal - jit - gc;
        nanos.merge(Part.OTHER, Math.max(0, rest), Long::sum);
        Map<Part, Double> shares = new LinkedHashMap<>();
        nanos.forEach((p, n) -> shares.put(p, n / machineNanos));
        return shares;
    }
}
