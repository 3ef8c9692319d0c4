package dev.framewise.schemas;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.framewise.schemas.SingleObjectCodec.UnreadableRecordException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.generic.GenericRecordBuilder;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.junit.jupiter.api.Test;

/**
 * The topics' records are single-object encoded and evolve by one rule: new fields carry defaults
 * (and new enum symbols fall back to the enum's default). Readers and writers one version apart
 * understand each other, with nothing but the {@code .avsc} files.
 */
class SchemaEvolutionTest {
    static final Instant CAPTURED = Instant.parse("2026-11-28T12:00:00.123456Z");

    static Schema resource(String name) throws IOException {
        try (InputStream in = SchemaEvolutionTest.class.getResourceAsStream("/evolution/" + name)) {
            return new Schema.Parser().parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
    }

    static VideoFrame frame() {
        return VideoFrame.newBuilder()
                .setCameraId("cam-1").setSequence(42).setCaptureTime(CAPTURED).setCodec(Codec.JPEG)
                .setWidth(640).setHeight(480).setPayload(ByteBuffer.wrap(new byte[] {1, 2, 3}))
                .setHeaders(Map.of("site", "lobby")).build();
    }

    @Test
    void singleObjectEncodingCarriesTheSchemaFingerprint() throws Exception {
        byte[] bytes = SingleObjectCodec.VIDEO_FRAME.encode(frame());
        assertEquals((byte) 0xC3, bytes[0]);
        assertEquals((byte) 0x01, bytes[1]);
        long fingerprint = ByteBuffer.wrap(bytes, 2, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertEquals(SchemaNormalization.parsingFingerprint64(VideoFrame.getClassSchema()), fingerprint);
        VideoFrame back = SingleObjectCodec.VIDEO_FRAME.decode(bytes);
        assertEquals(frame(), back);
        assertEquals(CAPTURED.truncatedTo(ChronoUnit.MICROS), back.getCaptureTime());
    }

    @Test
    void anyAvroClientReadsTheRecordsWithTheAvscAlone() throws Exception {
        byte[] bytes = SingleObjectCodec.VIDEO_FRAME.encode(frame());
        Schema avsc;
        try (InputStream in = getClass().getResourceAsStream("/VideoFrame.avsc")) {
            assertTrue(in != null, "VideoFrame.avsc ships in the schemas jar");
            avsc = new Schema.Parser().parse(in);
        }
        BinaryMessageDecoder<GenericRecord> generic = new BinaryMessageDecoder<>(GenericData.get(), avsc);
        GenericRecord r = generic.decode(bytes);
        assertEquals("cam-1", r.get("camera_id").toString());
        assertEquals(42L, r.get("sequence"));
        assertEquals(CAPTURED.toEpochMilli() * 1000 + 456, r.get("capture_time"), "timestamp-micros");
    }

    @Test
    void aCurrentReaderReadsARecordOfTheNextVersion() throws Exception {
        Schema next = resource("VideoFrame.next.avsc");
        GenericRecord newer = new GenericRecordBuilder(next)
                .set("camera_id", "cam-2").set("sequence", 7L).set("capture_time", 1_000_000L)
                .set("codec", new GenericData.EnumSymbol(next.getField("codec").schema(), "PNG"))
                .set("width", 4).set("height", 2).set("payload", ByteBuffer.wrap(new byte[] {9}))
                .set("exposure_us", 1234L).build();
        byte[] bytes = new BinaryMessageEncoder<GenericRecord>(GenericData.get(), next).encode(newer).array();

        // Without the newer schema the reader says so, instead of misreading the bytes.
        UnreadableRecordException unknown = assertThrows(UnreadableRecordException.class,
                () -> SingleObjectCodec.VIDEO_FRAME.decode(bytes));
        assertTrue(unknown.getMessage().contains("schema this reader does not know"), unknown.getMessage());

        SingleObjectCodec<VideoFrame> reader =
                new SingleObjectCodec<>(VideoFrame.class, VideoFrame.getClassSchema(), next.toString());
        VideoFrame read = reader.decode(bytes);
        assertEquals("cam-2", read.getCameraId());
        assertEquals(Codec.PNG, read.getCodec());
        assertEquals(Map.of(), read.getHeaders(), "the default of a field the writer did not have");
    }

    @Test
    void aNextVersionReaderReadsACurrentRecordWithTheNewFieldsDefault() throws Exception {
        Schema next = resource("VideoFrame.next.avsc");
        byte[] bytes = SingleObjectCodec.VIDEO_FRAME.encode(frame());
        BinaryMessageDecoder<GenericRecord> reader = new BinaryMessageDecoder<>(GenericData.get(), next);
        reader.addSchema(VideoFrame.getClassSchema());
        GenericRecord r = reader.decode(bytes);
        assertEquals(0L, r.get("exposure_us"));
        assertEquals("cam-1", r.get("camera_id").toString());
        assertArrayEquals(new byte[] {1, 2, 3}, ((ByteBuffer) r.get("payload")).array());
    }

    @Test
    void aReasonTheReaderDoesNotKnowReadsAsUnknown() throws Exception {
        Schema next = resource("DeadLetter.next.avsc");
        GenericRecord newer = new GenericRecordBuilder(next)
                .set("reason", new GenericData.EnumSymbol(next.getField("reason").schema(), "RATE_LIMITED"))
                .set("message", "too many frames").set("source_topic", "frames").set("source_partition", 0)
                .set("source_offset", 5L).set("dead_letter_time", 0L).set("original", ByteBuffer.wrap(new byte[0]))
                .build();
        byte[] bytes = new BinaryMessageEncoder<GenericRecord>(GenericData.get(), next).encode(newer).array();
        SingleObjectCodec<DeadLetter> reader =
                new SingleObjectCodec<>(DeadLetter.class, DeadLetter.getClassSchema(), next.toString());
        assertEquals(DeadLetterReason.UNKNOWN, reader.decode(bytes).getReason());
    }

    @Test
    void recordsOfTheFirstVersionStillRead() throws Exception {
        Schema v1;
        try (InputStream in = getClass().getResourceAsStream("/dev/framewise/schemas/history/VideoFrame-v1.avsc")) {
            v1 = new Schema.Parser().parse(in);
        }
        GenericRecord old = new GenericRecordBuilder(v1)
                .set("camera_id", "cam-old").set("sequence", 3L).set("capture_time", 5L)
                .set("codec", new GenericData.EnumSymbol(v1.getField("codec").schema(), "JPEG"))
                .set("width", 2).set("height", 2).set("payload", ByteBuffer.wrap(new byte[] {1}))
                .set("headers", Map.of()).build();
        byte[] bytes = new BinaryMessageEncoder<GenericRecord>(GenericData.get(), v1).encode(old).array();
        VideoFrame read = SingleObjectCodec.VIDEO_FRAME.decode(bytes);
        assertEquals("cam-old", read.getCameraId());
        assertEquals(false, read.getKeyFrame());
        assertEquals(null, read.getCodecConfig());
    }

    @Test
    void garbageIsUnreadableWithAReason() {
        UnreadableRecordException e = assertThrows(UnreadableRecordException.class,
                () -> SingleObjectCodec.VIDEO_FRAME.decode("hello".getBytes(StandardCharsets.UTF_8)));
        assertTrue(e.getMessage().startsWith("not Avro single-object encoded"), e.getMessage());
        byte[] truncated = SingleObjectCodec.VIDEO_FRAME.encode(frame());
        byte[] cut = java.util.Arrays.copyOf(truncated, truncated.length - 10);
        assertThrows(UnreadableRecordException.class, () -> SingleObjectCodec.VIDEO_FRAME.decode(cut));
        assertThrows(UnreadableRecordException.class, () -> SingleObjectCodec.VIDEO_FRAME.decode(new byte[0]));
    }
}
