package dev.framewise.testing;

import dev.framewise.kafka.RawFrameRecordDeserializer;
import dev.framewise.operators.frames.RawFrameRecord;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * The job's own deserializer, failing the source once: at a given record, or at the first record
 * read after the test arms it. State is static, per test id, because the MiniCluster runs in this
 * JVM and the function is a serialized copy.
 */
public final class FailOnce implements KafkaRecordDeserializationSchema<RawFrameRecord> {
    private static final long serialVersionUID = 1L;
    private static final Map<String, AtomicInteger> READ = new ConcurrentHashMap<>();
    private static final Map<String, AtomicInteger> FAILURES = new ConcurrentHashMap<>();
    private static final Map<String, AtomicBoolean> ARMED = new ConcurrentHashMap<>();

    private final String id;
    private final int atRecord;
    private final RawFrameRecordDeserializer delegate = new RawFrameRecordDeserializer();

    /** Fails at record {@code atRecord} (1-based); 0 to fail when {@link #arm} is called instead. */
    public FailOnce(String id, int atRecord) {
        this.id = id;
        this.atRecord = atRecord;
        READ.put(id, new AtomicInteger());
        FAILURES.put(id, new AtomicInteger());
        ARMED.put(id, new AtomicBoolean(false));
    }

    public static void arm(String id) {
        ARMED.get(id).set(true);
    }

    public static int failures(String id) {
        return FAILURES.get(id).get();
    }

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<RawFrameRecord> out) throws IOException {
        int n = READ.get(id).incrementAndGet();
        boolean due = atRecord > 0 ? n == atRecord : ARMED.get(id).get();
        if (due && FAILURES.get(id).compareAndSet(0, 1)) {
            throw new IOException("injected failure at record " + n);
        }
        delegate.deserialize(record, out);
    }

    @Override
    public TypeInformation<RawFrameRecord> getProducedType() {
        return delegate.getProducedType();
    }
}
