package dev.framewise.kafka;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Properties;
import java.util.TreeMap;

/**
 * The data directory of a {@link LocalKafkaBroker}: {@code server.properties} and {@code
 * log4j2.properties} (both rewritten at every start), {@code broker.log} (the process's output,
 * appended across restarts; or a log file elsewhere) and {@code logs/} (Kafka's own data, kept
 * across restarts).
 */
final class BrokerDirectory {
    static final int NODE_ID = 1;
    private static final String QUORUM_KEY = "controller.quorum.bootstrap.servers";

    private final Path root;
    private final Path logFile;

    BrokerDirectory(Path root) {
        this(root, root.resolve("broker.log"));
    }

    BrokerDirectory(Path root, Path logFile) {
        this.root = root.toAbsolutePath().normalize();
        this.logFile = logFile.toAbsolutePath().normalize();
    }

    Path root() {
        return root;
    }

    Path serverProperties() {
        return root.resolve("server.properties");
    }

    Path log4jConfig() {
        return root.resolve("log4j2.properties");
    }

    Path logFile() {
        return logFile;
    }

    Path kafkaData() {
        return root.resolve("logs");
    }

    /** Whether the storage was formatted; formatting again would refuse (or, forced, lose the data). */
    boolean isFormatted() {
        return Files.exists(kafkaData().resolve("meta.properties"));
    }

    /**
     * The controller port of the last start. A formatted single-node quorum records its controller's
     * address, so a restart keeps it rather than picking a new free port.
     */
    OptionalInt controllerPort() throws IOException {
        if (!Files.exists(serverProperties())) {
            return OptionalInt.empty();
        }
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(serverProperties(), StandardCharsets.UTF_8)) {
            p.load(r);
        }
        String quorum = p.getProperty(QUORUM_KEY, "");
        try {
            return OptionalInt.of(Integer.parseInt(quorum.substring(quorum.lastIndexOf(':') + 1).trim()));
        } catch (NumberFormatException e) {
            return OptionalInt.empty();
        }
    }

    /** Writes the broker's configuration for the given ports. */
    void writeConfig(int port, int controllerPort) throws IOException {
        Files.createDirectories(root);
        StringBuilder text = new StringBuilder("# Written by Framewise at every start of the broker: edits do not last.\n");
        settings(port, controllerPort).forEach((k, v) -> text.append(k).append('=')
                .append(v.replace("\\", "\\\\")).append('\n'));
        Files.writeString(serverProperties(), text, StandardCharsets.UTF_8);
        try (InputStream in = BrokerDirectory.class.getResourceAsStream("broker-log4j2.properties")) {
            if (in == null) {
                throw new IllegalStateException("broker-log4j2.properties is missing from the class path");
            }
            Files.copy(in, log4jConfig(), StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** The settings in the order a person reads them: roles and addresses first, then the single-node ones. */
    Map<String, String> settings(int port, int controllerPort) {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("process.roles", "broker,controller");
        s.put("node.id", Integer.toString(NODE_ID));
        s.put("listeners", "PLAINTEXT://" + Ports.HOST + ":" + port + ",CONTROLLER://" + Ports.HOST + ":" + controllerPort);
        s.put("advertised.listeners", "PLAINTEXT://" + Ports.HOST + ":" + port);
        s.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        s.put("inter.broker.listener.name", "PLAINTEXT");
        s.put("controller.listener.names", "CONTROLLER");
        s.put(QUORUM_KEY, Ports.HOST + ":" + controllerPort);
        s.put("log.dirs", kafkaData().toString());
        s.put("num.partitions", "1");
        s.putAll(new TreeMap<>(SingleNodeConfig.SETTINGS));
        return s;
    }
}
