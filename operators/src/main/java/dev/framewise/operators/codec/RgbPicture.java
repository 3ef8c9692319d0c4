package dev.framewise.operators.codec;

/**
 * A decoded picture as packed RGB24: {@code width * height * 3} bytes, row-major R, G, B, rows without padding
 * (what {@link dev.framewise.schemas.Codec#RAW_RGB24} payloads hold).
 */
public record RgbPicture(byte[] rgb, int width, int height) {
}
