package io.flotilla.log;

/** A read or lookup of an offset the log does not hold. */
public final class OffsetOutOfRangeException extends LogException {
    private final long requested;
    private final long startOffset;
    private final long endOffset;

    public OffsetOutOfRangeException(long requested, long startOffset, long endOffset) {
        super("offset " + requested + " is out of range: the log holds offsets [" + startOffset + ", " + endOffset + ")");
        this.requested = requested;
        this.startOffset = startOffset;
        this.endOffset = endOffset;
    }

    public long requested() {
        return requested;
    }

    public long startOffset() {
        return startOffset;
    }

    public long endOffset() {
        return endOffset;
    }
}
