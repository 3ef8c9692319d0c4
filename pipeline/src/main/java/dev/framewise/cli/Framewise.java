package dev.framewise.cli;

import dev.framewise.model.InvalidModelException;
import dev.framewise.model.checkpoint.CheckpointException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code framewise} command line. */
@Command(name = "framewise",
        mixinStandardHelpOptions = true,
        versionProvider = Framewise.Version.class,
        description = "Real-time video classification on Apache Flink.",
        subcommands = {DemoCommand.class, RunCommand.class, ClusterCommand.class, KafkaCommand.class, IngestCommand.class, ResultsCommand.class,
            ModelCommand.class, BenchCommand.class,
            CommandLine.HelpCommand.class})
public final class Framewise {

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs the command line and returns its exit status: 0 done, 1 failed, 2 bad usage. */
    public static int execute(String... args) {
        return commandLine().execute(args);
    }

    static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Framewise());
        cl.setExecutionExceptionHandler(Framewise::onFailure);
        cl.setParameterExceptionHandler(Framewise::onBadUsage);
        return cl;
    }

    /**
     * A failure is one line for people: the message of a known error (bad file, bad setting), or the
     * exception's type and message for an unexpected one, with the trace only when asked for.
     */
    private static int onFailure(Exception e, CommandLine cl, CommandLine.ParseResult parsed) {
        PrintWriter err = cl.getErr();
        boolean expected = e instanceof CheckpointException || e instanceof InvalidModelException
                || e instanceof UserException || e instanceof IllegalArgumentException
                || e instanceof dev.framewise.job.ConfigException || e instanceof dev.framewise.job.JobFailedException
                || e instanceof dev.framewise.cluster.ClusterException;
        if (expected) {
            String prefix = e instanceof dev.framewise.job.ConfigException ? "framewise: configuration error: " : "framewise: error: ";
            err.println(prefix + e.getMessage());
        } else {
            err.println("framewise: error: " + e.getClass().getSimpleName() + ": " + e.getMessage()
                    + (debug() ? "" : " (set FRAMEWISE_DEBUG=1 for the stack trace)"));
        }
        if (debug()) {
            e.printStackTrace(err);
        }
        err.flush();
        return 1;
    }

    private static int onBadUsage(CommandLine.ParameterException e, String[] args) {
        CommandLine cl = e.getCommandLine();
        PrintWriter err = cl.getErr();
        err.println("framewise: " + e.getMessage());
        err.println("Try '" + cl.getCommandSpec().qualifiedName() + " --help'.");
        err.flush();
        return 2;
    }

    private static boolean debug() {
        String v = System.getenv("FRAMEWISE_DEBUG");
        return v != null && !v.isEmpty() && !v.equals("0");
    }

    /** An error the user can act on; its message is all they see. */
    public static final class UserException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public UserException(String message) {
            super(message);
        }

        public UserException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"framewise " + dev.framewise.model.ModelBuilder.version()};
        }
    }
}
