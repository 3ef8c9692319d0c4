package dev.framewise.kafka;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Locale;
import java.util.Optional;

/** TCP ports on the loopback address, where the local broker and the local cluster listen. */
public final class Ports {
    public static final String HOST = "127.0.0.1";

    private Ports() {
    }

    /** A port nothing listens on right now; another process may still take it before the broker does. */
    public static int free() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
            return s.getLocalPort();
        }
    }

    /**
     * Why the broker could not listen on the port now, e.g. "is already in use by another process"
     * (a listener on the wildcard address counts too); empty when it could.
     */
    public static Optional<String> bindProblem(int port) {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress(HOST, port), 1);
            return Optional.empty();
        } catch (IOException e) {
            String message = String.valueOf(e.getMessage());
            return Optional.of(message.contains("in use") ? "is already in use by another process"
                    : "cannot be listened on: " + message.toLowerCase(Locale.ROOT));
        }
    }

    /** Whether something accepts connections on the port. */
    public static boolean accepts(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(HOST, port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
