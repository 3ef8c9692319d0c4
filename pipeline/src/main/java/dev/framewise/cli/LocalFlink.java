package dev.framewise.cli;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * A Flink cluster inside this JVM (a MiniCluster, started when the job is executed) with its web UI
 * on 127.0.0.1, for {@code framewise run} and the demo.
 */
record LocalFlink(StreamExecutionEnvironment env, String webUi) {

    static LocalFlink create(int slots, Map<String, String> flinkProperties) {
        int port = freePort(8081);
        Configuration conf = new Configuration();
        conf.set(TaskManagerOptions.NUM_TASK_SLOTS, slots);
        conf.set(RestOptions.BIND_ADDRESS, "127.0.0.1");
        conf.set(RestOptions.ADDRESS, "127.0.0.1");
        conf.set(RestOptions.BIND_PORT, Integer.toString(port));
        flinkProperties.forEach(conf::setString);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironmentWithWebUI(conf);
        env.setParallelism(slots);
        return new LocalFlink(env, "http://127.0.0.1:" + conf.get(RestOptions.BIND_PORT));
    }

    /** {@code preferred} if it is free, else any free port. */
    private static int freePort(int preferred) {
        try (ServerSocket s = new ServerSocket(preferred, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException busy) {
            try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                return s.getLocalPort();
            } catch (IOException e) {
                throw new Framewise.UserException("no free local port for Flink's web UI: " + e.getMessage(), e);
            }
        }
    }
}
