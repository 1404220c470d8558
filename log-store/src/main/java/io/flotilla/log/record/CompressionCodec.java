package io.flotilla.log.record;

/**
 * The codec named by bits 0-2 of a batch's attributes. Only {@link #NONE} is produced today;
 * the other ids are reserved so a later version can add codecs without a format change, and
 * a batch naming one is refused with a clear message rather than misread.
 */
public enum CompressionCodec {
    NONE(0);

    private final int id;

    CompressionCodec(int id) {
        this.id = id;
    }

    public int id() {
        return id;
    }

    public static CompressionCodec fromId(int id) {
        for (CompressionCodec codec : values()) {
            if (codec.id == id) {
                return codec;
            }
        }
        throw new MalformedBatchException("compression codec id " + id + " is not supported by this version"
                + " (supported: NONE=0)");
    }
}
