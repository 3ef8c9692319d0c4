package dev.framewise.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Sessions of one model with the same options, as the job runs them: each session on its own Java
 * thread (a task slot), with its own direct input and output buffers, all running at once.
 */
final class SessionGroup implements AutoCloseable {
    private final OrtEnvironment env;
    private final int threads;
    private final SessionVariant variant;
    private final List<OrtSession> sessions = new ArrayList<>();
    private final ExecutorService drivers;
    /** Per batch size, per session: the input and output tensors, made once and reused. */
    private final Map<Integer, OnnxTensor[][]> tensors = new HashMap<>();
    private String inputName;
    private String outputName;
    private long[] inputShape;
    private long classes;

    SessionGroup(OrtEnvironment env, Path model, int count, int threads, SessionVariant variant) throws OrtException {
        this.env = env;
        this.threads = threads;
        this.variant = variant;
        this.drivers = Executors.newFixedThreadPool(count, r -> {
            Thread t = new Thread(r, "bench-" + variant.name().toLowerCase(Locale.ROOT) + "-driver");
            t.setDaemon(true);
            return t;
        });
        try {
            for (int i = 0; i < count; i++) {
                try (OrtSession.SessionOptions options = variant.options(i, threads)) {
                    sessions.add(env.createSession(model.toString(), options));
                }
            }
            OrtSession first = sessions.get(0);
            inputName = first.getInputNames().iterator().next();
            outputName = first.getOutputNames().iterator().next();
            inputShape = ((TensorInfo) first.getInputInfo().get(inputName).getInfo()).getShape();
            classes = ((TensorInfo) first.getOutputInfo().get(outputName).getInfo()).getShape()[1];
        } catch (OrtException | RuntimeException e) {
            try {
                close();
            } catch (OrtException c) {
                e.addSuppressed(c);
            }
            throw e;
        }
    }

    int sessions() {
        return sessions.size();
    }

    int threads() {
        return threads;
    }

    SessionVariant variant() {
        return variant;
    }

    /**
     * Runs every session at {@code batch} until {@code seconds} have passed (and at least two
     * batches each), all starting together, and adds what each did to {@code into}.
     */
    void run(Tally into, double seconds) throws OrtException {
        OnnxTensor[][] io = tensors(into.batch());
        CountDownLatch start = new CountDownLatch(1);
        long sliceNs = (long) (seconds * 1e9);
        List<Future<long[]>> running = new ArrayList<>();
        for (int i = 0; i < sessions.size(); i++) {
            OrtSession s = sessions.get(i);
            Map<String, OnnxTensor> in = Map.of(inputName, io[i][0]);
            Map<String, OnnxTensor> out = Map.of(outputName, io[i][1]);
            running.add(drivers.submit(() -> drive(s, in, out, start, sliceNs)));
        }
        start.countDown();
        for (int i = 0; i < running.size(); i++) {
            long[] r = join(running.get(i));
            List<Long> latencies = new ArrayList<>(r.length - 1);
            for (int k = 1; k < r.length; k++) {
                latencies.add(r[k]);
            }
            into.add(i, r[0], latencies);
        }
    }

    /** One session's loop: returns its elapsed time, then the latency of each batch, in ns. */
    private static long[] drive(OrtSession s, Map<String, OnnxTensor> in, Map<String, OnnxTensor> out,
            CountDownLatch start, long sliceNs) throws Exception {
        start.await();
        long t0 = System.nanoTime();
        long end = t0 + sliceNs;
        List<Long> latencies = new ArrayList<>();
        long last = t0;
        while (latencies.size() < 2 || last < end) {
            long a = System.nanoTime();
            s.run(in, out).close(); // outputs pinned into the reused buffer, as the job does
            last = System.nanoTime();
            latencies.add(last - a);
        }
        long[] r = new long[latencies.size() + 1];
        r[0] = last - t0;
        for (int k = 0; k < latencies.size(); k++) {
            r[k + 1] = latencies.get(k);
        }
        return r;
    }

    private static long[] join(Future<long[]> f) throws OrtException {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while sessions ran", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof OrtException o) {
                throw o;
            }
            throw new IllegalStateException("a session failed: " + e.getCause(), e.getCause());
        }
    }

    private OnnxTensor[][] tensors(int batch) throws OrtException {
        OnnxTensor[][] io = tensors.get(batch);
        if (io == null) {
            io = new OnnxTensor[sessions.size()][2];
            tensors.put(batch, io);
            long[] in = inputShape.clone();
            in[0] = batch;
            int floats = Math.toIntExact(in[1] * in[2] * in[3] * batch);
            for (int i = 0; i < io.length; i++) {
                FloatBuffer input = noise(floats, 31L * batch + i);
                FloatBuffer output = noise(Math.toIntExact(batch * classes), 0);
                io[i][0] = OnnxTensor.createTensor(env, input, in);
                io[i][1] = OnnxTensor.createTensor(env, output, new long[] {batch, classes});
            }
        }
        return io;
    }

    /** Closes every tensor and session; the first failure is thrown once all were tried. */
    @Override
    public void close() throws OrtException {
        drivers.shutdownNow();
        for (OnnxTensor[][] io : tensors.values()) {
            for (OnnxTensor[] pair : io) {
                for (OnnxTensor t : pair) {
                    if (t != null) {
                        t.close();
                    }
                }
            }
        }
        tensors.clear();
        OrtException failed = null;
        for (OrtSession s : sessions) {
            try {
                s.close();
            } catch (OrtException e) {
                if (failed == null) {
                    failed = e;
                } else {
                    failed.addSuppressed(e);
                }
            }
        }
        sessions.clear();
        if (failed != null) {
            throw failed;
        }
    }

    /** A direct buffer of seeded Gaussian noise: the input the sessions run on, made once. */
    private static FloatBuffer noise(int floats, long seed) {
        FloatBuffer buf = ByteBuffer.allocateDirect(floats * Float.BYTES).order(ByteOrder.nativeOrder()).asFloatBuffer();
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = 0; i < floats; i++) {
            buf.put((float) r.nextGaussian());
        }
        return buf.flip();
    }
}
