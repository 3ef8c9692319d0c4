package dev.framewise.bench;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession.SessionOptions;
import ai.onnxruntime.OrtSession.SessionOptions.ExecutionMode;
import ai.onnxruntime.OrtSession.SessionOptions.OptLevel;
import java.util.Optional;
import java.util.StringJoiner;

/**
 * ONNX Runtime session options worth trying on the job's session, each one change away from what
 * the job sets today ({@link #JOB}), so that a difference in speed belongs to that one change.
 */
public enum SessionVariant {
    /** What OnnxFrameClassifier sets: intra-op threads, one inter-op thread, sequential, all optimizations. */
    JOB("the job's options"),
    /** Idle intra-op threads block at once instead of spinning, leaving the core to other sessions. */
    NO_SPINNING("session.intra_op.allow_spinning=0"),
    /** Tensors are allocated with malloc each run instead of from ONNX Runtime's growing arena. */
    NO_CPU_ARENA("CPU memory arena off"),
    /** No pre-planned memory layout per input shape (the job's batch sizes vary). */
    NO_MEMORY_PATTERN("memory pattern off"),
    /** Graph optimizations up to EXTENDED: no layout transformations (NCHWc). */
    EXTENDED_OPT("optimization level EXTENDED instead of ALL"),
    /** Each session's intra-op worker threads pinned one per processor, sessions on disjoint processors. */
    PINNED_THREADS("session.intra_op_thread_affinities: one worker per processor"),
    /** All sessions share the environment's global intra-op pool instead of one pool each. */
    SHARED_POOL("global thread pool (disablePerSessionThreads)");

    private final String description;

    SessionVariant(String description) {
        this.description = description;
    }

    public String description() {
        return description;
    }

    /**
     * Why this variant cannot run with {@code threads} intra-op threads per session, or empty.
     *
     * @param globalPool whether the ONNX Runtime environment of this JVM has a global thread pool
     */
    public Optional<String> unavailable(int threads, boolean globalPool) {
        if (this == PINNED_THREADS && threads < 2) {
            return Optional.of("one intra-op thread has no worker threads to pin");
        }
        if (this == SHARED_POOL && !globalPool) {
            return Optional.of("ONNX Runtime's environment already existed in this JVM without a global thread pool"
                    + " (it is created once per JVM)");
        }
        return Optional.empty();
    }

    /**
     * The options of session number {@code session} (from 0) of a group whose sessions have
     * {@code threads} intra-op threads each; the caller closes them.
     */
    SessionOptions options(int session, int threads) throws OrtException {
        SessionOptions o = new SessionOptions();
        try {
            o.setInterOpNumThreads(1);
            o.setExecutionMode(ExecutionMode.SEQUENTIAL);
            o.setOptimizationLevel(this == EXTENDED_OPT ? OptLevel.EXTENDED_OPT : OptLevel.ALL_OPT);
            if (this == SHARED_POOL) {
                o.disablePerSessionThreads(); // thread counts then come from the global pool
            } else {
                o.setIntraOpNumThreads(threads);
            }
            switch (this) {
                case NO_SPINNING -> o.addConfigEntry("session.intra_op.allow_spinning", "0");
                case NO_CPU_ARENA -> o.setCPUArenaAllocator(false);
                case NO_MEMORY_PATTERN -> o.setMemoryPatternOptimization(false);
                case PINNED_THREADS -> o.addConfigEntry("session.intra_op_thread_affinities", workerAffinities(session, threads));
                default -> {
                    // JOB, EXTENDED_OPT and SHARED_POOL are set above
                }
            }
            return o;
        } catch (OrtException | RuntimeException e) {
            o.close();
            throw e;
        }
    }

    /**
     * ONNX Runtime's affinity string for one session's {@code threads - 1} worker threads (it never
     * pins the calling thread). Session s owns processors s * threads + 1 .. (s + 1) * threads,
     * counted from 1 as ONNX Runtime counts them; its workers take all but the first, which is left
     * to its calling thread.
     */
    static String workerAffinities(int session, int threads) {
        StringJoiner j = new StringJoiner(";");
        for (int i = 0; i < threads - 1; i++) {
            j.add(Integer.toString(session * threads + i + 2));
        }
        return j.toString();
    }
}
