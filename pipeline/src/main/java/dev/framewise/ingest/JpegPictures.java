package dev.framewise.ingest;

import dev.framewise.operators.codec.ImageEncoder;
import dev.framewise.schemas.Codec;

/** Every picture a JPEG of its own: a key frame by nature, decodable alone. */
final class JpegPictures implements PictureEncoder {
    private final ImageEncoder encoder = new ImageEncoder();
    private final int quality;

    JpegPictures(int quality) {
        this.quality = quality;
    }

    @Override
    public Encoded encode(byte[] rgb, int width, int height) {
        return new Encoded(Codec.JPEG, width, height, encoder.jpeg(rgb, width, height, quality), true, null);
    }

    @Override
    public String describe() {
        return "JPEG at quality " + quality;
    }

    @Override
    public void close() {
        encoder.close();
    }
}
