package io.flotilla.broker.partition;

import io.flotilla.api.v1.ErrorReason;
import io.flotilla.broker.partition.ProducerStates.Accept;
import io.flotilla.broker.partition.ProducerStates.Check;
import io.flotilla.broker.partition.ProducerStates.Duplicate;
import io.flotilla.broker.partition.ProducerStates.Refuse;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

class ProducerStatesTest {
    private static final long P = 7;

    private static void write(ProducerStates s, short epoch, int seq, int count, long offset) {
        assertInstanceOf(Accept.class, s.check(P, epoch, seq, count), "seq " + seq);
        s.record(P, epoch, seq, count, offset, 1000 + offset);
    }

    private static ErrorReason refusal(Check c) {
        return assertInstanceOf(Refuse.class, c).reason();
    }

    @Test
    void aNewProducerStartsAtSequenceZeroAndOnlyThere() {
        ProducerStates s = new ProducerStates();
        assertEquals(ErrorReason.ERROR_REASON_OUT_OF_ORDER_SEQUENCE, refusal(s.check(P, (short) 0, 5, 1)));
        assertInstanceOf(Accept.class, s.check(P, (short) 0, 0, 3));
    }

    @Test
    void eachOfTheLastFiveBatchesIsADuplicateWithItsOriginalOffsetAndOlderOnesAreOutOfOrder() {
        ProducerStates s = new ProducerStates();
        for (int i = 0; i < 7; i++) {
            write(s, (short) 0, i * 2, 2, 100 + i * 2);
        }
        for (int i = 2; i < 7; i++) {
            Duplicate d = assertInstanceOf(Duplicate.class, s.check(P, (short) 0, i * 2, 2));
            assertEquals(100 + i * 2, d.original().baseOffset());
            assertEquals(1100 + i * 2, d.original().appendTimeMs());
        }
        assertEquals(ErrorReason.ERROR_REASON_OUT_OF_ORDER_SEQUENCE, refusal(s.check(P, (short) 0, 2, 2)),
                "the sixth-newest batch left the window");
        assertEquals(ErrorReason.ERROR_REASON_OUT_OF_ORDER_SEQUENCE, refusal(s.check(P, (short) 0, 12, 3)),
                "same base sequence, another record count: not the same batch");
        assertEquals(ErrorReason.ERROR_REASON_OUT_OF_ORDER_SEQUENCE, refusal(s.check(P, (short) 0, 16, 1)),
                "a gap: batch 14 has not arrived");
        assertInstanceOf(Accept.class, s.check(P, (short) 0, 14, 1));
    }

    @Test
    void epochsFenceLowerOnesAndANewEpochRestartsAtZero() {
        ProducerStates s = new ProducerStates();
        write(s, (short) 3, 0, 4, 0);
        assertEquals(ErrorReason.ERROR_REASON_PRODUCER_FENCED, refusal(s.check(P, (short) 2, 4, 1)));
        assertEquals(ErrorReason.ERROR_REASON_OUT_OF_ORDER_SEQUENCE, refusal(s.check(P, (short) 4, 4, 1)));
        write(s, (short) 4, 0, 1, 4);
        assertEquals(ErrorReason.ERROR_REASON_PRODUCER_FENCED, refusal(s.check(P, (short) 3, 0, 4)),
                "the old epoch's batches are no longer duplicates: it is fenced");
    }

    @Test
    void sequencesWrapFromIntMaxToZero() {
        ProducerStates s = new ProducerStates();
        write(s, (short) 0, 0, 1, 0);
        s.record(P, (short) 0, Integer.MAX_VALUE - 1, 3, 1, 0); // as if the log held it: ends at sequence 0
        assertEquals(0, ProducerStates.wrap(Integer.MAX_VALUE - 1, 2));
        assertInstanceOf(Accept.class, s.check(P, (short) 0, 1, 1));
    }

    @Test
    void aCopyIsIndependent() {
        ProducerStates committed = new ProducerStates();
        write(committed, (short) 0, 0, 1, 0);
        ProducerStates tentative = committed.copy();
        write(tentative, (short) 0, 1, 1, 1);
        assertInstanceOf(Accept.class, committed.check(P, (short) 0, 1, 1));
        assertInstanceOf(Duplicate.class, tentative.check(P, (short) 0, 1, 1));
    }
}
