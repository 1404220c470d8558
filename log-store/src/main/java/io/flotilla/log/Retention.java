package io.flotilla.log;

import java.util.List;

/**
 * The retention decision: which of a log's oldest segments go, as a function of their
 * summaries, the clock and the limits alone, so that it is the same on every replica that
 * holds the same segments and can be tested without files.
 */
final class Retention {

    /** What the decision reads of one segment. */
    interface Segment {
        /** One past the segment's last offset. */
        long nextOffset();

        /** Bytes of batches the segment holds. */
        int size();

        /** The largest record timestamp in the segment; {@link LogSegment#NO_TIMESTAMP} when it holds none. */
        long maxTimestamp();
    }

    private Retention() {
    }

    /**
     * How many of the oldest {@code segments} retention deletes: the longest run from the first
     * in which each segment is expired (its newest record older than {@code retentionMs} before
     * {@code nowMs}) or superfluous (the segments after it still hold at least
     * {@code retentionBytes}). The run never includes the last segment (the active one), nor a
     * segment holding an offset at or past {@code maxDeletableOffset}. A segment without
     * timestamps never expires: there is no age to judge it by.
     *
     * @param segments       oldest first; the last one is the active segment
     * @param retentionMs    -1 for no time limit
     * @param retentionBytes -1 for no size limit
     */
    static int deletableSegments(List<? extends Segment> segments, long nowMs, long retentionMs, long retentionBytes,
                                 long maxDeletableOffset) {
        long total = 0;
        for (Segment segment : segments) {
            total += segment.size();
        }
        int deletable = 0;
        for (int i = 0; i < segments.size() - 1; i++) {
            Segment segment = segments.get(i);
            boolean expired = retentionMs >= 0 && segment.maxTimestamp() != LogSegment.NO_TIMESTAMP
                    && segment.maxTimestamp() < nowMs - retentionMs;
            boolean superfluous = retentionBytes >= 0 && total - segment.size() >= retentionBytes;
            if (segment.nextOffset() > maxDeletableOffset || !(expired || superfluous)) {
                break;
            }
            total -= segment.size();
            deletable++;
        }
        return deletable;
    }
}
