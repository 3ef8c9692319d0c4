package dev.framewise.process;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Processes that outlive the command that started them (a local cluster that stays up between
 * commands), and stopping them later by pid, from another JVM.
 */
public final class DetachedProcesses {
    /** Standard input of a detached process: it reads nothing, and no pipe ties it to its parent. */
    public static final ProcessBuilder.Redirect NO_INPUT = ProcessBuilder.Redirect.from(new File("/dev/null"));

    private DetachedProcesses() {
    }

    /**
     * The {@code setsid} program (util-linux), which runs a command in a session of its own: a
     * Ctrl-C or hang-up on the starting terminal then never reaches it. A child of a JVM is no
     * process group leader, so setsid execs the command in place and the pid stays the command's.
     */
    public static String setsid() {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(File.pathSeparator)) {
            Path candidate = Path.of(dir.isEmpty() ? "." : dir, "setsid");
            if (Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        throw new IllegalStateException("setsid (from util-linux) is not on the PATH; a local cluster needs it to run"
                + " its processes detached from this terminal");
    }

    /**
     * Stops processes as {@code kill} would, all at once: SIGTERM to each, then SIGKILL to those
     * still there after {@code grace}. Returns once they are gone (or would not die within 10 s of
     * SIGKILL, which only a process stuck in the kernel does: the caller checks), telling for each
     * whether it exited on SIGTERM (true) or had to be killed (false).
     */
    public static Map<ProcessHandle, Boolean> terminateAll(List<ProcessHandle> processes, Duration grace)
            throws InterruptedException {
        Map<ProcessHandle, Boolean> clean = new LinkedHashMap<>();
        processes.forEach(ProcessHandle::destroy);
        long deadline = System.nanoTime() + grace.toNanos();
        for (ProcessHandle p : processes) {
            clean.put(p, awaitExit(p, Math.max(0, deadline - System.nanoTime())));
        }
        for (ProcessHandle p : processes) {
            if (!clean.get(p)) {
                p.destroyForcibly();
                awaitExit(p, TimeUnit.SECONDS.toNanos(10));
            }
        }
        return clean;
    }

    private static boolean awaitExit(ProcessHandle p, long nanos) throws InterruptedException {
        try {
            p.onExit().get(nanos, TimeUnit.NANOSECONDS);
            return true;
        } catch (TimeoutException e) {
            return !p.isAlive();
        } catch (ExecutionException e) {
            throw new IllegalStateException("waiting for process " + p.pid() + " failed", e.getCause());
        }
    }
}
