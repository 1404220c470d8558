package io.flotilla.log.record;

/** A batch bigger than the configured maximum; refused before anything is written. */
public final class BatchTooLargeException extends MalformedBatchException {
    private final int sizeBytes;
    private final int maxBytes;

    public BatchTooLargeException(int sizeBytes, int maxBytes) {
        super("batch of " + sizeBytes + " bytes exceeds the maximum of " + maxBytes
                + " bytes (config maxBatchBytes); split it into smaller batches");
        this.sizeBytes = sizeBytes;
        this.maxBytes = maxBytes;
    }

    public int sizeBytes() {
        return sizeBytes;
    }

    public int maxBytes() {
        return maxBytes;
    }
}
