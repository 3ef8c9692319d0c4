package dev.framewise.operators.codec;

/**
 * One picture as {@link H264Encoder} encodes it, shaped like an H.264 frame record of the topics. The arrays are
 * the encoder's output, handed over without copies.
 *
 * @param accessUnit the access unit, Annex-B; a key frame's holds its SPS and PPS in band as well
 * @param keyFrame whether it is an IDR picture, from which a decoder can start
 * @param codecConfig for a key frame, its SPS and PPS (Annex-B) for the record's {@code codec_config}; null
 *     otherwise
 */
public record EncodedFrame(byte[] accessUnit, boolean keyFrame, byte[] codecConfig) {
}
