package dev.framewise.operators.codec;

import dev.framewise.schemas.DeadLetterReason;
import java.nio.ByteBuffer;
import java.util.Locale;

/**
 * Reads a JPEG's or PNG's picture size from its header and checks that the data is complete, before any
 * decoder sees it: the size guards against decompression bombs, and the completeness check catches
 * truncated pictures that FFmpeg would otherwise conceal into a partial picture. Reusable, so reading a
 * header allocates nothing; not thread-safe.
 */
final class ImageHeader {
    private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
    private static final byte[] JPEG_SIGNATURE = {(byte) 0xFF, (byte) 0xD8};
    /** The whole IEND chunk: length 0, type, and its CRC, which is therefore always the same. */
    private static final byte[] PNG_IEND = {0, 0, 0, 0, 'I', 'E', 'N', 'D', (byte) 0xAE, 0x42, 0x60, (byte) 0x82};
    /** Signature, IHDR length and type, width, height: the bytes needed to know the size. */
    private static final int PNG_SIZE_END = 24;
    private static final long PNG_MAX_DIMENSION = Integer.MAX_VALUE;

    private long width;
    private long height;

    /** The width read by the last successful {@link #readJpegSize} or {@link #readPngSize}. */
    long width() {
        return width;
    }

    long height() {
        return height;
    }

    /**
     * Reads the size from the first SOFn segment and checks that a scan (SOS) follows it, walking the
     * segments by their lengths. Without a scan FFmpeg hands out a picture it never filled in.
     */
    void readJpegSize(ByteBuffer data) throws FrameRejectedException {
        int start = data.position();
        int end = data.limit();
        checkSignature(data, JPEG_SIGNATURE, "JPEG");
        boolean sized = false;
        int at = start + JPEG_SIGNATURE.length;
        while (true) {
            if (at >= end) {
                throw truncatedHeader(end - start);
            }
            if (data.get(at) != (byte) 0xFF) {
                throw new FrameRejectedException(DeadLetterReason.CORRUPT_IMAGE, String.format(Locale.ROOT,
                        "JPEG has byte %02X where a marker should start, at offset %d before its first scan",
                        data.get(at) & 0xFF, at - start));
            }
            while (at < end && data.get(at) == (byte) 0xFF) {
                at++; // any number of 0xFF fill bytes may precede a marker
            }
            if (at >= end) {
                throw truncatedHeader(end - start);
            }
            int marker = data.get(at++) & 0xFF;
            if (marker == 0x01 || marker == 0xD8 || (marker >= 0xD0 && marker <= 0xD7)) {
                continue; // markers without a segment
            }
            if (marker == 0xD9 || (marker == 0xDA && !sized)) {
                throw new FrameRejectedException(DeadLetterReason.CORRUPT_IMAGE, String.format(Locale.ROOT,
                        "JPEG has marker FF %02X at offset %d before any %s", marker, at - 2 - start,
                        sized ? "scan (SOS)" : "frame header (SOFn)"));
            }
            if (at + 2 > end) {
                throw truncatedHeader(end - start);
            }
            int length = unsigned16(data, at);
            if (length < 2) {
                throw new FrameRejectedException(DeadLetterReason.CORRUPT_IMAGE, String.format(Locale.ROOT,
                        "JPEG segment FF %02X at offset %d has an impossible length %d", marker, at - 2 - start,
                        length));
            }
            if (at + length > end) {
                throw truncatedHeader(end - start);
            }
            if (marker == 0xDA) {
                return;
            }
            if (isStartOfFrame(marker) && !sized) {
                if (length < 8) {
                    throw new FrameRejectedException(DeadLetterReason.CORRUPT_IMAGE, String.format(Locale.ROOT,
                            "JPEG frame header FF %02X is %d bytes long, too short to hold a size", marker, length));
                }
                height = unsigned16(data, at + 3);
                width = unsigned16(data, at + 5);
                checkPositive("JPEG");
                sized = true;
            }
            at += length;
        }
    }

    /**
     * Checks for the EOI marker at the very end. Entropy-coded data cannot contain FF D9 (an FF there is
     * always followed by 00 or a restart marker), so a picture cut anywhere after its header fails this.
     * Call after {@link #readJpegSize}, which guarantees more than two bytes.
     */
    static void checkJpegEnd(ByteBuffer data) throws FrameRejectedException {
        int end = data.limit();
        if (data.get(end - 2) != (byte) 0xFF || data.get(end - 1) != (byte) 0xD9) {
            throw new FrameRejectedException(DeadLetterReason.TRUNCATED_IMAGE, String.format(Locale.ROOT,
                    "JPEG of %d bytes does not end with the EOI marker FF D9 (it ends with %02X %02X)",
                    data.remaining(), data.get(end - 2) & 0xFF, data.get(end - 1) & 0xFF));
        }
    }

    /** Reads the size from the IHDR chunk, which must come first. */
    void readPngSize(ByteBuffer data) throws FrameRejectedException {
        int start = data.position();
        int size = data.remaining();
        checkSignature(data, PNG_SIGNATURE, "PNG");
        if (size < PNG_SIZE_END) {
            throw new FrameRejectedException(DeadLetterReason.TRUNCATED_IMAGE, String.format(Locale.ROOT,
                    "PNG of %d bytes ends before its header gives the picture size", size));
        }
        long chunkLength = unsigned32(data, start + 8);
        if (chunkLength != 13 || data.get(start + 12) != 'I' || data.get(start + 13) != 'H'
                || data.get(start + 14) != 'D' || data.get(start + 15) != 'R') {
            throw new FrameRejectedException(DeadLetterReason.CORRUPT_IMAGE,
                    "PNG does not start with a 13-byte IHDR chunk after its signature");
        }
        width = unsigned32(data, start + 16);
        height = unsigned32(data, start + 20);
        checkPositive("PNG");
        if (width > PNG_MAX_DIMENSION || height > PNG_MAX_DIMENSION) {
            throw new FrameRejectedException(DeadLetterReason.CORRUPT_IMAGE, String.format(Locale.ROOT,
                    "PNG header declares %dx%d, beyond the format's limit of %d", width, height, PNG_MAX_DIMENSION));
        }
    }

    /** Checks that a complete IEND chunk ends the data. */
    static void checkPngEnd(ByteBuffer data) throws FrameRejectedException {
        int start = data.position();
        int size = data.remaining();
        boolean complete = size >= PNG_SIZE_END + PNG_IEND.length;
        for (int i = 0; complete && i < PNG_IEND.length; i++) {
            complete = data.get(start + size - PNG_IEND.length + i) == PNG_IEND[i];
        }
        if (!complete) {
            throw new FrameRejectedException(DeadLetterReason.TRUNCATED_IMAGE, String.format(Locale.ROOT,
                    "PNG of %d bytes does not end with a complete IEND chunk", size));
        }
    }

    /** SOF0-SOF15, except DHT (C4), JPG (C8) and DAC (CC), which share the range. */
    private static boolean isStartOfFrame(int marker) {
        return marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
    }

    /** A wrong first byte means another format (corrupt); a right prefix that stops early means truncated. */
    private static void checkSignature(ByteBuffer data, byte[] signature, String format)
            throws FrameRejectedException {
        int start = data.position();
        int available = Math.min(signature.length, data.remaining());
        for (int i = 0; i < available; i++) {
            if (data.get(start + i) != signature[i]) {
                throw new FrameRejectedException(DeadLetterReason.CORRUPT_IMAGE, String.format(Locale.ROOT,
                        "not a %s: byte %d is %02X where the %s signature has %02X", format, i,
                        data.get(start + i) & 0xFF, format, signature[i] & 0xFF));
            }
        }
        if (available < signature.length) {
            throw new FrameRejectedException(DeadLetterReason.TRUNCATED_IMAGE, String.format(Locale.ROOT,
                    "%s of %d bytes ends inside its signature", format, data.remaining()));
        }
    }

    private void checkPositive(String format) throws FrameRejectedException {
        if (width == 0 || height == 0) {
            throw new FrameRejectedException(DeadLetterReason.CORRUPT_IMAGE, String.format(Locale.ROOT,
                    "%s header declares an empty picture of %dx%d", format, width, height));
        }
    }

    private static FrameRejectedException truncatedHeader(int size) {
        return new FrameRejectedException(DeadLetterReason.TRUNCATED_IMAGE, String.format(Locale.ROOT,
                "JPEG of %d bytes ends before the start of its first scan", size));
    }

    private static int unsigned16(ByteBuffer data, int at) {
        return (data.get(at) & 0xFF) << 8 | data.get(at + 1) & 0xFF;
    }

    private static long unsigned32(ByteBuffer data, int at) {
        return (long) unsigned16(data, at) << 16 | unsigned16(data, at + 2);
    }
}
