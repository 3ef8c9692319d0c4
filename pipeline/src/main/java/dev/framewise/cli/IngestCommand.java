package dev.framewise.cli;

import dev.framewise.cli.Framewise.UserException;
import dev.framewise.ingest.Ingest;
import dev.framewise.ingest.IngestException;
import dev.framewise.ingest.IngestSettings;
import dev.framewise.ingest.IngestStats;
import dev.framewise.ingest.KafkaFrameSink;
import dev.framewise.ingest.OutputCodec;
import dev.framewise.ingest.Source;
import dev.framewise.ingest.SourceException;
import dev.framewise.ingest.Stop;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code framewise ingest}: one camera, file or stream onto the frames topic, until it ends or Ctrl-C. */
@Command(name = "ingest", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Put one camera on Kafka: read a video file, a network stream (rtsp://, udp://, http://, ...)"
                + " or a V4L2 device (/dev/videoN) with FFmpeg and send its frames to the frames topic as VideoFrame"
                + " records keyed by the camera id, JPEG or H.264.",
            "Files are paced to their frame rate, like a camera; live sources reconnect by themselves when they"
                + " drop. Runs until the file ends (without --loop) or Ctrl-C / SIGTERM."})
final class IngestCommand implements Callable<Integer> {
    @Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--source", required = true, paramLabel = "FILE|URL|/dev/videoN",
            description = "A video file, a stream URL (rtsp://, udp://, http://, ...) or a V4L2 device.")
    String source;

    @Option(names = "--camera-id", required = true, paramLabel = "ID",
            description = "The camera's id: the records' key and camera_id.")
    String cameraId;

    @Option(names = "--codec", paramLabel = "jpeg|h264", defaultValue = "jpeg", converter = CodecConverter.class,
            description = "jpeg: every picture a JPEG; h264: H.264 access units, an H.264 source's own when it has no"
                    + " B-frames, else re-encoded (default: ${DEFAULT-VALUE}).")
    OutputCodec codec;

    @Option(names = "--fps", paramLabel = "N",
            description = "At most N frames a second: frames above it are dropped (never repeated). With --codec h264"
                    + " this re-encodes, as dropping frames breaks an H.264 stream.")
    double fps;

    @Option(names = "--quality", paramLabel = "Q", defaultValue = "85",
            description = "JPEG quality, 1 to 100 (default: ${DEFAULT-VALUE}).")
    int quality;

    @Option(names = "--loop", description = "Start a file over at its end, as a camera that never stops.")
    boolean loop;

    @Option(names = "--transcode", description = "With --codec h264: re-encode even an H.264 source.")
    boolean transcode;

    @Option(names = "--bitrate", paramLabel = "KBPS", defaultValue = "0",
            description = "H.264 encoding target in kbit/s; 0 sizes it from the picture and frame rate (default).")
    int bitrate;

    @Option(names = "--bootstrap", paramLabel = "HOST:PORT", defaultValue = "localhost:9092",
            description = "Kafka bootstrap servers (default: ${DEFAULT-VALUE}).")
    String bootstrap;

    @Option(names = "--topic", paramLabel = "T", defaultValue = "frames",
            description = "The frames topic; it must exist (default: ${DEFAULT-VALUE}).")
    String topic;

    @Option(names = "--source-timeout", paramLabel = "SECONDS", defaultValue = "5",
            description = "A network source that sends nothing this long counts as lost, and is reconnected"
                    + " (default: ${DEFAULT-VALUE}).")
    double sourceTimeout;

    @Option(names = "--kafka-timeout", paramLabel = "SECONDS", defaultValue = "10",
            description = "How long Kafka may take to answer, and to acknowledge the last frames at the end"
                    + " (default: ${DEFAULT-VALUE}).")
    int kafkaTimeout;

    @Override
    public Integer call() throws InterruptedException {
        IngestSettings settings = settings();
        if (kafkaTimeout < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--kafka-timeout must be at least 1 second");
        }
        try {
            // Before Kafka is asked anything: a mistyped file name is the likelier mistake, and cheap to tell.
            settings.source().checkReadable();
        } catch (SourceException e) {
            throw new UserException(e.getMessage(), e);
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        IngestStats stats = new IngestStats();
        Stop stop = new Stop();
        try (StopSignals signals = StopSignals.install(stop::stop);
                IngestProgress progress = new IngestProgress(out, err, cameraId, settings.source().redacted(),
                        topic + " at " + bootstrap, stats, IngestProgress.onTerminal())) {
            KafkaFrameSink sink = sink(stats);
            Ingest ingest = new Ingest(settings, sink, stats, progress, stop);
            Ingest.Ending ending = null;
            IngestException failure = null;
            try {
                ending = ingest.run();
            } catch (IngestException e) {
                failure = e;
            } finally {
                progress.close();
                sink.close();
            }
            try {
                sink.checkDelivered();
            } catch (IngestException e) {
                failure = failure == null ? e : failure;
            }
            if (progress.hasStarted()) {
                String why = ending == Ingest.Ending.END_OF_FILE ? "End of " + settings.source()
                        : ending == Ingest.Ending.STOPPED ? "Stopped by " + signals.received().getNow("request")
                        : "Failed";
                progress.summary(why, ingest.nextSequence());
            }
            if (failure != null) {
                throw new UserException(failure.getMessage(), failure);
            }
            return 0;
        }
    }

    private IngestSettings settings() {
        try {
            return new IngestSettings(Source.of(source), cameraId, codec, fps, quality, loop, transcode, bitrate,
                    Duration.ofMillis(Math.round(sourceTimeout * 1000)));
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    private KafkaFrameSink sink(IngestStats stats) {
        try {
            return KafkaFrameSink.open(bootstrap, topic, Duration.ofSeconds(kafkaTimeout), stats);
        } catch (IngestException e) {
            throw new UserException(e.getMessage(), e);
        }
    }

    /** {@code --codec} in any case, with the choices in the message when it is neither. */
    static final class CodecConverter implements CommandLine.ITypeConverter<OutputCodec> {
        @Override
        public OutputCodec convert(String value) {
            try {
                return OutputCodec.parse(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }
}
