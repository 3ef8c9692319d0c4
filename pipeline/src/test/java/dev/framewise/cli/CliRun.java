package dev.framewise.cli;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import picocli.CommandLine;

/** The command line run in-process, as a user runs it, with its output captured while it runs. */
final class CliRun {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();
    private final CompletableFuture<Integer> status = new CompletableFuture<>();

    private CliRun() {
    }

    /** Runs the command to its end. */
    static CliRun run(String... args) {
        CliRun run = new CliRun();
        run.status.complete(run.execute(args));
        return run;
    }

    /** Runs the command on its own thread, for commands that run until stopped. */
    static CliRun start(String... args) {
        CliRun run = new CliRun();
        Thread t = new Thread(() -> {
            try {
                run.status.complete(run.execute(args));
            } catch (Throwable e) {
                run.status.completeExceptionally(e);
            }
        }, "framewise " + String.join(" ", args));
        t.setDaemon(true);
        t.start();
        return run;
    }

    private int execute(String... args) {
        CommandLine cl = Framewise.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return cl.execute(args);
    }

    /** Sends this JVM a signal the way a user does, e.g. INT for Ctrl-C, and waits until it is sent. */
    static void signalThisJvm(String signal) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(ProcessHandle.current().pid()))
                .inheritIO().start();
        if (kill.waitFor() != 0) {
            fail("kill -" + signal + " failed with status " + kill.exitValue());
        }
    }

    String out() {
        return out.toString();
    }

    String err() {
        return err.toString();
    }

    /** The exit status, once the command has ended within the timeout. */
    int status(Duration timeout) throws Exception {
        try {
            return status.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            return fail("the command did not end within " + timeout + "; out:\n" + out() + "\nerr:\n" + err());
        }
    }

    /** Waits until the condition holds, failing with the output so far after the timeout. */
    void await(String what, BooleanSupplier condition, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (status.isDone()) {
                fail("the command ended (" + status.getNow(null) + ") before " + what + "; out:\n" + out() + "\nerr:\n" + err());
            }
            if (System.nanoTime() > deadline) {
                fail("no " + what + " within " + timeout + "; out:\n" + out() + "\nerr:\n" + err());
            }
            Thread.sleep(20);
        }
    }
}
