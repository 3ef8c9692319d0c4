package dev.framewise.operators.codec;

import java.nio.ByteBuffer;
import java.util.Locale;
import java.util.Objects;

/**
 * H.264 in the form the frame topics carry it: Annex-B byte streams, where each NAL unit follows a start code
 * ({@code 00 00 01}, or {@code 00 00 00 01}). Containers such as MP4 and Matroska instead prefix each NAL unit
 * with its length and keep SPS and PPS in an avcC box; ingest passes such sources through by converting
 * with these methods. Pure Java, stateless.
 *
 * <p>The methods on byte arrays allocate their results and suit ingest; {@link #nalTypes(ByteBuffer)} allocates
 * nothing and suits a decode path.
 */
public final class AnnexB {
    static final int NAL_SLICE = 1;
    static final int NAL_IDR = 5;
    static final int NAL_SPS = 7;
    static final int NAL_PPS = 8;
    /** The {@link #nalTypes} bits of coded pictures: non-IDR and IDR slices. */
    static final int SLICES = 1 << NAL_SLICE | 1 << NAL_IDR;
    private static final byte[] START_CODE = {0, 0, 0, 1};
    /** avcC: version, profile, compatibility, level, length size, SPS count: the bytes before the first SPS. */
    private static final int AVCC_HEADER = 6;

    private AnnexB() {
    }

    /**
     * Converts one MP4/Matroska packet (NAL units each behind a big-endian length of {@code lengthSize} bytes)
     * to Annex-B with four-byte start codes.
     *
     * @param lengthSize 1, 2 or 4, as {@link #lengthSize(byte[])} reads it from the stream's avcC
     * @throws IllegalArgumentException when a length runs past the packet's end
     */
    public static byte[] fromLengthPrefixed(byte[] packet, int lengthSize) {
        Objects.requireNonNull(packet, "packet");
        if (lengthSize != 1 && lengthSize != 2 && lengthSize != 4) {
            throw new IllegalArgumentException("lengthSize must be 1, 2 or 4, got " + lengthSize);
        }
        // First pass checks every length and sizes the result exactly; the second copies.
        int size = 0;
        for (int at = 0; at < packet.length;) {
            int length = nalLength(packet, at, lengthSize);
            at += lengthSize + length;
            size += START_CODE.length + length;
        }
        byte[] annexB = new byte[size];
        for (int at = 0, to = 0; at < packet.length;) {
            int length = nalLength(packet, at, lengthSize);
            System.arraycopy(START_CODE, 0, annexB, to, START_CODE.length);
            System.arraycopy(packet, at + lengthSize, annexB, to + START_CODE.length, length);
            at += lengthSize + length;
            to += START_CODE.length + length;
        }
        return annexB;
    }

    /**
     * The SPS and PPS of a stream's codec configuration (a decoder's extradata), as Annex-B NAL units with
     * four-byte start codes: from an avcC box, or picked out of extradata that already is Annex-B (as MPEG-TS
     * sources give it).
     *
     * @return the parameter sets, or null when the extradata holds none
     * @throws IllegalArgumentException when the avcC box is malformed or cut short
     */
    public static byte[] parameterSetsFromAvcC(byte[] extradata) {
        Objects.requireNonNull(extradata, "extradata");
        if (isAnnexB(extradata)) {
            return parameterSets(extradata);
        }
        checkAvcC(extradata);
        // Two lists of parameter sets, each a count then 16-bit lengths: SPS (count in 5 bits), then PPS (8 bits).
        int size = 0;
        int at = AVCC_HEADER;
        int count = extradata[AVCC_HEADER - 1] & 0x1F;
        for (int list = 0; list < 2; list++) {
            for (int i = 0; i < count; i++) {
                int length = avcCLength(extradata, at);
                at += 2 + length;
                size += START_CODE.length + length;
            }
            if (list == 0) {
                if (at >= extradata.length) {
                    throw new IllegalArgumentException(String.format(Locale.ROOT,
                            "avcC of %d bytes ends before its PPS count", extradata.length));
                }
                count = extradata[at++] & 0xFF;
            }
        }
        if (size == 0) {
            return null;
        }
        byte[] annexB = new byte[size];
        at = AVCC_HEADER;
        count = extradata[AVCC_HEADER - 1] & 0x1F;
        int to = 0;
        for (int list = 0; list < 2; list++) {
            for (int i = 0; i < count; i++) {
                int length = avcCLength(extradata, at);
                System.arraycopy(START_CODE, 0, annexB, to, START_CODE.length);
                System.arraycopy(extradata, at + 2, annexB, to + START_CODE.length, length);
                at += 2 + length;
                to += START_CODE.length + length;
            }
            if (list == 0) {
                count = extradata[at++] & 0xFF;
            }
        }
        return annexB;
    }

    /**
     * The size of the NAL unit lengths in the packets of a stream with this avcC box: 1, 2 or 4.
     *
     * @throws IllegalArgumentException when {@code avcC} is not an avcC box (Annex-B extradata included: such a
     *     stream's packets carry start codes already)
     */
    public static int lengthSize(byte[] avcC) {
        Objects.requireNonNull(avcC, "avcC");
        if (isAnnexB(avcC)) {
            throw new IllegalArgumentException("the extradata is Annex-B, not avcC: its packets have start codes");
        }
        checkAvcC(avcC);
        int size = (avcC[4] & 0x03) + 1;
        if (size == 3) {
            throw new IllegalArgumentException("avcC declares NAL unit lengths of 3 bytes, which H.264 does not allow");
        }
        return size;
    }

    /** Whether {@code data} starts with a start code, as Annex-B does and an avcC box or an MP4 packet does not. */
    public static boolean isAnnexB(byte[] data) {
        Objects.requireNonNull(data, "data");
        return data.length >= 3 && data[0] == 0 && data[1] == 0
                && (data[2] == 1 || data.length >= 4 && data[2] == 0 && data[3] == 1);
    }

    /** Whether the Annex-B access unit holds an IDR slice, from which a decoder can start. */
    public static boolean containsIdr(byte[] annexB) {
        Objects.requireNonNull(annexB, "annexB");
        return (nalTypes(ByteBuffer.wrap(annexB)) & 1 << NAL_IDR) != 0;
    }

    /**
     * The SPS and PPS NAL units of an Annex-B access unit, in their order, each behind a four-byte start code:
     * what a key frame's {@code codec_config} carries.
     *
     * @return the parameter sets, or null when the access unit has none
     */
    public static byte[] parameterSets(byte[] annexB) {
        Objects.requireNonNull(annexB, "annexB");
        ByteBuffer data = ByteBuffer.wrap(annexB);
        int size = 0;
        for (int start = nalStart(data, 0); start >= 0;) {
            int end = nalEnd(data, start);
            if (isParameterSet(data, start, end)) {
                size += START_CODE.length + end - start;
            }
            start = nalStart(data, end);
        }
        if (size == 0) {
            return null;
        }
        byte[] sets = new byte[size];
        int to = 0;
        for (int start = nalStart(data, 0); start >= 0;) {
            int end = nalEnd(data, start);
            if (isParameterSet(data, start, end)) {
                System.arraycopy(START_CODE, 0, sets, to, START_CODE.length);
                System.arraycopy(annexB, start, sets, to + START_CODE.length, end - start);
                to += START_CODE.length + end - start;
            }
            start = nalStart(data, end);
        }
        return sets;
    }

    /**
     * The NAL unit types in the Annex-B data between {@code data}'s position and limit, as a mask with bit
     * {@code 1 << type} set for each type present; 0 when there is no NAL unit at all. Neither allocates nor
     * moves the position.
     */
    static int nalTypes(ByteBuffer data) {
        int types = 0;
        for (int start = nalStart(data, data.position()); start >= 0;) {
            int end = nalEnd(data, start);
            if (end > start) {
                types |= 1 << (data.get(start) & 0x1F);
            }
            start = nalStart(data, end);
        }
        return types;
    }

    /** The index just after the first start code at or after {@code from}, or -1 when none follows. */
    static int nalStart(ByteBuffer data, int from) {
        int limit = data.limit();
        for (int i = from; i + 2 < limit; i++) {
            int third = data.get(i + 2) & 0xFF;
            if (third > 1) {
                // No start code can begin at i, i + 1 or i + 2: each would need a 0 or a 1 where this byte is.
                i += 2;
            } else if (third == 1 && data.get(i) == 0 && data.get(i + 1) == 0) {
                return i + 3;
            }
        }
        return -1;
    }

    /**
     * The end (exclusive) of the NAL unit starting at {@code start}: where {@code 00 00 00} or {@code 00 00 01}
     * begins (emulation prevention keeps both out of a NAL unit), less any trailing zero bytes, which belong to
     * the byte stream rather than to the unit.
     */
    static int nalEnd(ByteBuffer data, int start) {
        int limit = data.limit();
        int end = limit;
        for (int i = start; i + 2 < limit; i++) {
            if (data.get(i) == 0 && data.get(i + 1) == 0 && (data.get(i + 2) & 0xFF) <= 1) {
                end = i;
                break;
            }
        }
        while (end > start && data.get(end - 1) == 0) {
            end--;
        }
        return end;
    }

    private static boolean isParameterSet(ByteBuffer data, int start, int end) {
        if (end <= start) {
            return false;
        }
        int type = data.get(start) & 0x1F;
        return type == NAL_SPS || type == NAL_PPS;
    }

    private static int nalLength(byte[] packet, int at, int lengthSize) {
        if (at + lengthSize > packet.length) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "packet of %d bytes ends inside the length of the NAL unit at offset %d", packet.length, at));
        }
        long length = 0;
        for (int i = 0; i < lengthSize; i++) {
            length = length << 8 | packet[at + i] & 0xFF;
        }
        if (length > packet.length - at - lengthSize) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "NAL unit at offset %d declares %d bytes but only %d follow", at, length,
                    packet.length - at - lengthSize));
        }
        return (int) length;
    }

    private static void checkAvcC(byte[] avcC) {
        if (avcC.length < AVCC_HEADER) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "avcC of %d bytes is shorter than its %d-byte header", avcC.length, AVCC_HEADER));
        }
        if (avcC[0] != 1) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "not an avcC box: configuration version %d, expected 1", avcC[0] & 0xFF));
        }
    }

    private static int avcCLength(byte[] avcC, int at) {
        if (at + 2 > avcC.length) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "avcC of %d bytes ends inside the length of the parameter set at offset %d", avcC.length, at));
        }
        int length = (avcC[at] & 0xFF) << 8 | avcC[at + 1] & 0xFF;
        if (length > avcC.length - at - 2) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "avcC parameter set at offset %d declares %d bytes but only %d follow", at, length,
                    avcC.length - at - 2));
        }
        return length;
    }
}
