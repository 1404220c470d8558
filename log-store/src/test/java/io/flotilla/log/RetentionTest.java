package io.flotilla.log;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The retention decision over segment summaries, without files. */
class RetentionTest {
    private static final long NOW = 10_000_000;
    private static final long NONE = -1;

    record Summary(long nextOffset, int size, long maxTimestamp) implements Retention.Segment {
    }

    /** Segments of 100 offsets each, oldest first, with these sizes and newest timestamps. */
    private static List<Summary> segments(int[] sizes, long[] maxTimestamps) {
        List<Summary> out = new ArrayList<>();
        for (int i = 0; i < sizes.length; i++) {
            out.add(new Summary(100L * (i + 1), sizes[i], maxTimestamps[i]));
        }
        return out;
    }

    @Test
    void segmentsWhoseNewestRecordIsOlderThanTheRetentionTimeGoOldestFirst() {
        List<Summary> s = segments(new int[] {10, 10, 10, 10}, new long[] {NOW - 5_000, NOW - 4_000, NOW - 500, NOW});
        assertEquals(2, Retention.deletableSegments(s, NOW, 1_000, NONE, Long.MAX_VALUE));
        assertEquals(0, Retention.deletableSegments(s, NOW, 10_000, NONE, Long.MAX_VALUE), "none that old");
        assertEquals(0, Retention.deletableSegments(s, NOW, NONE, NONE, Long.MAX_VALUE), "-1 keeps everything");
    }

    @Test
    void aYoungSegmentStopsTheRunEvenWithOlderOnesBehindIt() {
        // Producer timestamps need not grow: the second segment holds a recent record.
        List<Summary> s = segments(new int[] {10, 10, 10, 10}, new long[] {NOW - 5_000, NOW, NOW - 5_000, NOW});
        assertEquals(1, Retention.deletableSegments(s, NOW, 1_000, NONE, Long.MAX_VALUE));
    }

    @Test
    void aSegmentWithoutTimestampsNeverExpiresByTime() {
        List<Summary> s = segments(new int[] {10, 10}, new long[] {LogSegment.NO_TIMESTAMP, NOW});
        assertEquals(0, Retention.deletableSegments(s, NOW, 0, NONE, Long.MAX_VALUE));
    }

    @Test
    void bySizeTheOldestGoWhileTheRestStillHoldsTheLimit() {
        List<Summary> s = segments(new int[] {40, 30, 20, 10}, new long[] {NOW, NOW, NOW, NOW});
        assertEquals(2, Retention.deletableSegments(s, NOW, NONE, 30, Long.MAX_VALUE), "20 + 10 = 30 stay");
        assertEquals(1, Retention.deletableSegments(s, NOW, NONE, 31, Long.MAX_VALUE), "30 + 20 + 10 stay");
        assertEquals(0, Retention.deletableSegments(s, NOW, NONE, 100, Long.MAX_VALUE), "exactly the limit");
        assertEquals(3, Retention.deletableSegments(s, NOW, NONE, 0, Long.MAX_VALUE), "all but the active one");
    }

    @Test
    void eitherLimitSufficesForASegment() {
        List<Summary> s = segments(new int[] {40, 30, 20, 10}, new long[] {NOW, NOW - 5_000, NOW, NOW});
        // The first goes by size (90 stay >= 60), the second by age, the third by neither.
        assertEquals(2, Retention.deletableSegments(s, NOW, 1_000, 60, Long.MAX_VALUE));
    }

    @Test
    void theBoundStopsAtTheFirstSegmentHoldingAnOffsetAtOrPastIt() {
        List<Summary> s = segments(new int[] {10, 10, 10, 10}, new long[] {0, 0, 0, 0});
        assertEquals(2, Retention.deletableSegments(s, NOW, 1_000, NONE, 200), "the second ends exactly at the bound");
        assertEquals(1, Retention.deletableSegments(s, NOW, 1_000, NONE, 199));
        assertEquals(0, Retention.deletableSegments(s, NOW, 1_000, NONE, 0));
    }

    @Test
    void theActiveSegmentIsNeverDeleted() {
        assertEquals(0, Retention.deletableSegments(segments(new int[] {10}, new long[] {0}), NOW, 0, 0,
                Long.MAX_VALUE));
    }

    @Test
    void randomSegmentsNeverLoseTheActiveOneNorPassTheBoundAndKeepTheSizeLimitWhenOnlySizeApplies() {
        long seed = Long.getLong("flotilla.seed", new Random().nextLong());
        System.out.println("RetentionTest seed " + seed + " (replay with -Dflotilla.seed=" + seed + ")");
        Random random = new Random(seed);
        for (int run = 0; run < 1_000; run++) {
            int count = 1 + random.nextInt(8);
            int[] sizes = new int[count];
            long[] times = new long[count];
            for (int i = 0; i < count; i++) {
                sizes[i] = random.nextInt(100);
                times[i] = NOW - random.nextInt(10_000);
            }
            List<Summary> s = segments(sizes, times);
            long retentionBytes = random.nextBoolean() ? NONE : random.nextInt(400);
            long bound = random.nextInt(100 * count + 100);
            int deleted = Retention.deletableSegments(s, NOW, NONE, retentionBytes, bound);
            String where = "seed " + seed + ", run " + run;
            assertTrue(deleted < count, "the active segment stays; " + where);
            assertTrue(deleted == 0 || s.get(deleted - 1).nextOffset() <= bound, "within the bound; " + where);
            long kept = 0;
            for (int i = deleted; i < count; i++) {
                kept += sizes[i];
            }
            assertTrue(retentionBytes == NONE ? deleted == 0 : deleted == 0 || kept >= retentionBytes,
                    "kept " + kept + " of a limit of " + retentionBytes + "; " + where);
        }
    }
}
