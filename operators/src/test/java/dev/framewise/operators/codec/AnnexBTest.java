package dev.framewise.operators.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Against real encoder output: a key frame and a P-frame of {@link H264Encoder}. */
class AnnexBTest {
    private static EncodedFrame key;
    private static EncodedFrame delta;

    @BeforeAll
    static void encode() {
        try (H264Encoder encoder = new H264Encoder(320, 240, 25, 30, 1000)) {
            key = encoder.encode(TestPictures.moving(320, 240, 0));
            delta = encoder.encode(TestPictures.moving(320, 240, 1));
        }
        assertTrue(key.keyFrame());
        assertFalse(delta.keyFrame());
    }

    @Test
    void lengthPrefixedPacketsBecomeTheEncodersAnnexB() {
        for (EncodedFrame frame : new EncodedFrame[] {key, delta}) {
            List<byte[]> nals = nals(frame.accessUnit());
            assertArrayEquals(withStartCodes(nals), AnnexB.fromLengthPrefixed(lengthPrefixed(nals, 4), 4));
            assertArrayEquals(withStartCodes(nals), AnnexB.fromLengthPrefixed(lengthPrefixed(nals, 2), 2));
        }
        byte[] small = {0, 0, 0, 1, 0x09, (byte) 0xF0};
        assertArrayEquals(small, AnnexB.fromLengthPrefixed(new byte[] {2, 0x09, (byte) 0xF0}, 1));
        assertEquals(0, AnnexB.fromLengthPrefixed(new byte[0], 4).length);
    }

    @Test
    void refusesLengthsThatRunPastThePacket() {
        byte[] packet = lengthPrefixed(nals(delta.accessUnit()), 4);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> AnnexB.fromLengthPrefixed(Arrays.copyOf(packet, packet.length - 1), 4));
        assertTrue(e.getMessage().contains("declares"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> AnnexB.fromLengthPrefixed(new byte[] {0, 0, 1}, 4));
        assertThrows(IllegalArgumentException.class, () -> AnnexB.fromLengthPrefixed(packet, 3));
    }

    @Test
    void avcCGivesTheSameParameterSetsAsTheKeyFrame() {
        byte[] avcC = avcC(key.codecConfig(), 0xFF);
        assertArrayEquals(key.codecConfig(), AnnexB.parameterSetsFromAvcC(avcC));
        assertEquals(4, AnnexB.lengthSize(avcC));
        assertEquals(2, AnnexB.lengthSize(avcC(key.codecConfig(), 0xFD)));
        assertEquals(1, AnnexB.lengthSize(avcC(key.codecConfig(), 0xFC)));
        assertThrows(IllegalArgumentException.class, () -> AnnexB.lengthSize(avcC(key.codecConfig(), 0xFE)));
        // Extradata that already is Annex-B (MPEG-TS sources) gives its parameter sets as they are.
        assertArrayEquals(key.codecConfig(), AnnexB.parameterSetsFromAvcC(key.codecConfig()));
        assertThrows(IllegalArgumentException.class, () -> AnnexB.lengthSize(key.codecConfig()));
    }

    @Test
    void refusesMalformedAvcC() {
        byte[] avcC = avcC(key.codecConfig(), 0xFF);
        assertThrows(IllegalArgumentException.class, () -> AnnexB.parameterSetsFromAvcC(Arrays.copyOf(avcC, 4)));
        for (int cut = 6; cut < avcC.length; cut++) {
            byte[] shorter = Arrays.copyOf(avcC, cut);
            assertThrows(IllegalArgumentException.class, () -> AnnexB.parameterSetsFromAvcC(shorter), "cut at " + cut);
        }
        byte[] version2 = avcC.clone();
        version2[0] = 2;
        assertThrows(IllegalArgumentException.class, () -> AnnexB.parameterSetsFromAvcC(version2));
        assertNull(AnnexB.parameterSetsFromAvcC(new byte[] {1, 66, 0, 30, (byte) 0xFF, (byte) 0xE0, 0}));
    }

    @Test
    void findsIdrAndParameterSetsOnlyInKeyFrames() {
        assertTrue(AnnexB.containsIdr(key.accessUnit()));
        assertFalse(AnnexB.containsIdr(delta.accessUnit()));
        assertArrayEquals(key.codecConfig(), AnnexB.parameterSets(key.accessUnit()));
        assertNull(AnnexB.parameterSets(delta.accessUnit()));
        assertNull(AnnexB.parameterSets(new byte[0]));
        assertTrue(AnnexB.isAnnexB(key.accessUnit()));
        assertFalse(AnnexB.isAnnexB(lengthPrefixed(nals(key.accessUnit()), 4)));
    }

    @Test
    void readsThreeByteStartCodesAndIgnoresTrailingZeros() {
        // SPS-like and IDR-like units behind 3-byte start codes, with zero bytes between and after them.
        byte[] stream = {0, 0, 1, 0x67, 0x42, 0, 0, 0, 0, 1, 0x65, (byte) 0x88, 0, 0, 1, 0x68, 0x01, 0, 0};
        assertEquals(1 << AnnexB.NAL_SPS | 1 << AnnexB.NAL_IDR | 1 << AnnexB.NAL_PPS,
                AnnexB.nalTypes(ByteBuffer.wrap(stream)));
        assertArrayEquals(new byte[] {0, 0, 0, 1, 0x67, 0x42, 0, 0, 0, 1, 0x68, 0x01}, AnnexB.parameterSets(stream));
        assertEquals(0, AnnexB.nalTypes(ByteBuffer.wrap(new byte[] {0, 0, 0, 0})));
        assertEquals(0, AnnexB.nalTypes(ByteBuffer.wrap(new byte[] {0x65, 1, 2, 3})));
        ByteBuffer tail = ByteBuffer.wrap(stream);
        tail.position(10);
        assertEquals(1 << AnnexB.NAL_PPS, AnnexB.nalTypes(tail), "scans from the position on");
        assertEquals(10, tail.position());
    }

    /** The NAL units of an Annex-B stream, without start codes. */
    static List<byte[]> nals(byte[] annexB) {
        ByteBuffer data = ByteBuffer.wrap(annexB);
        List<byte[]> nals = new ArrayList<>();
        for (int start = AnnexB.nalStart(data, 0); start >= 0;) {
            int end = AnnexB.nalEnd(data, start);
            nals.add(Arrays.copyOfRange(annexB, start, end));
            start = AnnexB.nalStart(data, end);
        }
        return nals;
    }

    private static byte[] withStartCodes(List<byte[]> nals) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] nal : nals) {
            out.writeBytes(new byte[] {0, 0, 0, 1});
            out.writeBytes(nal);
        }
        return out.toByteArray();
    }

    private static byte[] lengthPrefixed(List<byte[]> nals, int lengthSize) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] nal : nals) {
            for (int i = lengthSize - 1; i >= 0; i--) {
                out.write(nal.length >>> (8 * i));
            }
            out.writeBytes(nal);
        }
        return out.toByteArray();
    }

    /** An avcC box (ISO/IEC 14496-15) for the SPS and PPS of {@code parameterSets}. */
    private static byte[] avcC(byte[] parameterSets, int lengthSizeByte) {
        List<byte[]> nals = nals(parameterSets);
        byte[] sps = nals.get(0);
        byte[] pps = nals.get(1);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {1, sps[1], sps[2], sps[3], (byte) lengthSizeByte, (byte) 0xE1});
        out.write(sps.length >> 8);
        out.write(sps.length);
        out.writeBytes(sps);
        out.write(1);
        out.write(pps.length >> 8);
        out.write(pps.length);
        out.writeBytes(pps);
        return out.toByteArray();
    }
}
