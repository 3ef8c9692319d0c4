package dev.framewise.kafka;

import java.io.IOException;

/**
 * The main class of a {@link LocalKafkaBroker}'s process: {@code kafka.Kafka}, plus a watchdog that
 * shuts the broker down cleanly once the JVM that started it is gone. Its standard input is a pipe
 * from that JVM that nothing is written to: end of input means the parent has exited, however it
 * exited, even by {@code kill -9}, when none of its shutdown hooks can stop the broker. A detached
 * broker (system property {@value #DETACHED_PROPERTY} true) is meant to outlive its parent and has
 * no watchdog.
 */
public final class BrokerMain {
    static final String DETACHED_PROPERTY = "framewise.broker.detached";

    private BrokerMain() {
    }

    /** @param args the path of server.properties, as for {@code kafka.Kafka} */
    public static void main(String[] args) {
        if (!Boolean.getBoolean(DETACHED_PROPERTY)) {
            Thread watchdog = new Thread(BrokerMain::exitWhenParentIsGone, "framewise-parent-watchdog");
            watchdog.setDaemon(true);
            watchdog.start();
        }
        kafka.Kafka.main(args);
    }

    private static void exitWhenParentIsGone() {
        try {
            while (System.in.read() != -1) {
                continue;
            }
        } catch (IOException e) {
            // A broken pipe says the same: the parent is gone.
        }
        // Exiting runs Kafka's own shutdown hook, which stops the broker cleanly.
        System.exit(0);
    }
}
