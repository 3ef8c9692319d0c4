package dev.framewise.schemas;

import java.io.IOException;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.util.List;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.message.BadHeaderException;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.message.MissingSchemaException;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecordBase;

/**
 * Avro's single-object encoding of one record type: {@code 0xC3 0x01}, the writer schema's 8-byte
 * CRC-64-AVRO fingerprint, then the Avro binary record. Any Avro client reads it with the {@code
 * .avsc} alone. Decoding resolves from every writer schema the codec knows (the current one and
 * older versions), so records written by older producers still read.
 *
 * <p>Thread-safe; serializable (Flink ships it inside functions), its Avro state is rebuilt lazily.
 */
public final class SingleObjectCodec<T extends SpecificRecordBase> implements Serializable {
    private static final long serialVersionUID = 1L;

    public static final SingleObjectCodec<VideoFrame> VIDEO_FRAME =
            new SingleObjectCodec<>(VideoFrame.class, VideoFrame.getClassSchema(), history("VideoFrame-v1.avsc"));
    public static final SingleObjectCodec<FrameClassification> FRAME_CLASSIFICATION =
            new SingleObjectCodec<>(FrameClassification.class, FrameClassification.getClassSchema());
    public static final SingleObjectCodec<DeadLetter> DEAD_LETTER =
            new SingleObjectCodec<>(DeadLetter.class, DeadLetter.getClassSchema(), history("DeadLetter-v1.avsc"));

    /** An earlier version of a schema, kept under {@code dev/framewise/schemas/history/}. */
    static String history(String name) {
        try (java.io.InputStream in = SingleObjectCodec.class.getResourceAsStream("history/" + name)) {
            if (in == null) {
                throw new IllegalStateException("schema history " + name + " is missing from the schemas jar");
            }
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private final Class<T> type;
    private final String schemaJson;
    private final List<String> olderWriterSchemas;
    private transient volatile BinaryMessageEncoder<T> encoder;
    private transient volatile BinaryMessageDecoder<T> decoder;

    /**
     * @param olderWriterSchemas the JSON of earlier versions of the schema, whose records this codec
     *     must still read
     */
    public SingleObjectCodec(Class<T> type, Schema schema, String... olderWriterSchemas) {
        this.type = type;
        this.schemaJson = schema.toString();
        this.olderWriterSchemas = List.of(olderWriterSchemas);
    }

    public Schema schema() {
        return new Schema.Parser().parse(schemaJson);
    }

    /** The schema's CRC-64-AVRO fingerprint, as it appears (little-endian) in every encoded record. */
    public long fingerprint() {
        return SchemaNormalization.parsingFingerprint64(schema());
    }

    public byte[] encode(T record) {
        try {
            ByteBuffer buf = encoder().encode(record);
            byte[] out = new byte[buf.remaining()];
            buf.get(out);
            return out;
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode " + type.getSimpleName() + ": " + e.getMessage(), e);
        }
    }

    /** Decodes one record; bytes that are not such a record fail with a message saying why. */
    public T decode(byte[] bytes) throws UnreadableRecordException {
        if (bytes == null || bytes.length == 0) {
            throw new UnreadableRecordException("the record has no value");
        }
        try {
            return decoder().decode(bytes);
        } catch (MissingSchemaException e) {
            throw new UnreadableRecordException("written with a schema this reader does not know ("
                    + e.getMessage() + "); it is not a " + type.getSimpleName() + " of a known version", e);
        } catch (BadHeaderException e) {
            throw new UnreadableRecordException("not Avro single-object encoded (" + e.getMessage() + ")", e);
        } catch (IOException | AvroRuntimeException | IndexOutOfBoundsException | NegativeArraySizeException e) {
            throw new UnreadableRecordException("not a valid " + type.getSimpleName() + " (" + e + ")", e);
        }
    }

    private BinaryMessageEncoder<T> encoder() {
        BinaryMessageEncoder<T> e = encoder;
        if (e == null) {
            e = new BinaryMessageEncoder<>(SpecificData.getForClass(type), schema());
            encoder = e;
        }
        return e;
    }

    private BinaryMessageDecoder<T> decoder() {
        BinaryMessageDecoder<T> d = decoder;
        if (d == null) {
            d = new BinaryMessageDecoder<>(SpecificData.getForClass(type), schema());
            for (String older : olderWriterSchemas) {
                d.addSchema(new Schema.Parser().parse(older));
            }
            decoder = d;
        }
        return d;
    }

    /** The bytes are not a record of this type: a data error, for the dead-letter topic. */
    public static final class UnreadableRecordException extends Exception {
        private static final long serialVersionUID = 1L;

        public UnreadableRecordException(String message) {
            super(message);
        }

        public UnreadableRecordException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
