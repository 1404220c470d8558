package io.flotilla.log;

/** Where an appended batch landed: it occupies offsets {@code baseOffset..lastOffset}. */
public record AppendResult(long baseOffset, long lastOffset, int sizeInBytes) {
    /** The offset after the batch: pass it to {@link GroupCommit#whenDurable} to wait for the fsync. */
    public long nextOffset() {
        return lastOffset + 1;
    }
}
