package io.flotilla.log;

/**
 * Every limit of a partition log, in one place, with documented defaults.
 *
 * @param segmentBytes       roll to a new segment when the next batch would grow the active one past
 *                           this (default 128 MiB)
 * @param segmentMs          roll when the active segment's first append is older than this (default 7 days)
 * @param indexIntervalBytes bytes of batches between two sparse index entries (default 4 KiB)
 * @param maxBatchBytes      largest batch accepted by {@link PartitionLog#append} (default 1 MiB; at
 *                           most {@link #MAX_BATCH_BYTES_LIMIT})
 * @param retentionMs        delete sealed segments whose newest record is older than this; -1 keeps
 *                           them forever (default 7 days)
 * @param retentionBytes     delete the oldest sealed segments while the log is larger than this; -1
 *                           for no size limit (default -1)
 * @param verifyOnOpen       how much of the log opening re-checks (default {@link VerifyOnOpen#TAIL})
 */
public record LogConfig(int segmentBytes, long segmentMs, int indexIntervalBytes, int maxBatchBytes,
                        long retentionMs, long retentionBytes, VerifyOnOpen verifyOnOpen) {

    /** Hard cap on any batch: bounds the memory a recovery scan or a hostile length field can ask for. */
    public static final int MAX_BATCH_BYTES_LIMIT = 64 * 1024 * 1024;

    public static final LogConfig DEFAULTS = new LogConfig(128 * 1024 * 1024, 7L * 24 * 3600 * 1000, 4096,
            1024 * 1024, 7L * 24 * 3600 * 1000, -1, VerifyOnOpen.TAIL);

    /** What opening a log re-checks against the batches' CRCs. */
    public enum VerifyOnOpen {
        /**
         * After an unclean stop, every batch of the active segment (the only one that can hold
         * unsynced writes: a segment is fsynced when it is sealed). After a clean stop, only the
         * batches after the last index entry of the segment holding the log's last batch (the
         * other segments' tails are walked by their headers). Start-up cost stays independent
         * of log size; the rest is checked by every {@link LogSlice#readVerified()}.
         */
        TAIL,
        /** Every batch of every segment, on every open: start-up cost proportional to log size. */
        ALL
    }

    public LogConfig {
        requireAtLeast("segmentBytes", segmentBytes, 1024);
        requireAtLeast("segmentMs", segmentMs, 1);
        requireAtLeast("indexIntervalBytes", indexIntervalBytes, 1);
        requireAtLeast("maxBatchBytes", maxBatchBytes, io.flotilla.log.record.RecordBatch.HEADER_BYTES);
        if (maxBatchBytes > MAX_BATCH_BYTES_LIMIT) {
            throw new IllegalArgumentException("maxBatchBytes is " + maxBatchBytes + "; the limit is "
                    + MAX_BATCH_BYTES_LIMIT);
        }
        if (retentionMs < -1 || retentionBytes < -1) {
            throw new IllegalArgumentException("retentionMs and retentionBytes are -1 (unlimited) or >= 0, got "
                    + retentionMs + " and " + retentionBytes);
        }
        if (verifyOnOpen == null) {
            throw new IllegalArgumentException("verifyOnOpen is required");
        }
    }

    private static void requireAtLeast(String name, long value, long min) {
        if (value < min) {
            throw new IllegalArgumentException(name + " is " + value + "; it must be at least " + min);
        }
    }

    public LogConfig withSegmentBytes(int value) {
        return new LogConfig(value, segmentMs, indexIntervalBytes, maxBatchBytes, retentionMs, retentionBytes,
                verifyOnOpen);
    }

    public LogConfig withSegmentMs(long value) {
        return new LogConfig(segmentBytes, value, indexIntervalBytes, maxBatchBytes, retentionMs, retentionBytes,
                verifyOnOpen);
    }

    public LogConfig withIndexIntervalBytes(int value) {
        return new LogConfig(segmentBytes, segmentMs, value, maxBatchBytes, retentionMs, retentionBytes,
                verifyOnOpen);
    }

    public LogConfig withMaxBatchBytes(int value) {
        return new LogConfig(segmentBytes, segmentMs, indexIntervalBytes, value, retentionMs, retentionBytes,
                verifyOnOpen);
    }

    public LogConfig withRetention(long ms, long bytes) {
        return new LogConfig(segmentBytes, segmentMs, indexIntervalBytes, maxBatchBytes, ms, bytes, verifyOnOpen);
    }

    public LogConfig withVerifyOnOpen(VerifyOnOpen value) {
        return new LogConfig(segmentBytes, segmentMs, indexIntervalBytes, maxBatchBytes, retentionMs, retentionBytes,
                value);
    }
}
