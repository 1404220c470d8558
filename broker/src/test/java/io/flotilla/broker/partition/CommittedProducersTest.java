package io.flotilla.broker.partition;

import io.flotilla.api.v1.ErrorReason;
import io.flotilla.log.record.RecordBatch;
import io.flotilla.log.record.RecordBatchBuilder;
import io.flotilla.raft.Entry;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The committed idempotence state as a partition's snapshot: what survives retention deleting
 * the batches it was built from, a restart that applies the rest of the log again, and a
 * follower installing it.
 */
class CommittedProducersTest {
    private static final short EPOCH = 3;

    /** A committed data entry at {@code offset}: {@code count} records of {@code producerId} from {@code sequence}. */
    private static Entry batch(long offset, long producerId, int sequence, int count) {
        ByteBuffer buffer = ByteBuffer.allocate(RecordBatch.HEADER_BYTES + 32 * count);
        RecordBatchBuilder builder = new RecordBatchBuilder().begin(buffer, offset, 1, 5_000 + offset)
                .producer(producerId, EPOCH, sequence);
        for (int i = 0; i < count; i++) {
            builder.tryAppend(5_000 + offset, null, ByteBuffer.wrap(new byte[] {(byte) i}));
        }
        builder.finish();
        return new Entry(offset, count, 1, Entry.Type.DATA, buffer.flip());
    }

    /** Producer 1 writes eight batches of two records; producer 2 one batch; a no-op sits between. */
    private static List<Entry> log() {
        List<Entry> entries = new ArrayList<>();
        long offset = 0;
        for (int i = 0; i < 8; i++) {
            entries.add(batch(offset, 1, i * 2, 2));
            offset += 2;
            if (i == 3) {
                entries.add(new Entry(offset++, 1, 1, Entry.Type.NOOP, ByteBuffer.allocate(0)));
            }
        }
        entries.add(batch(offset, 2, 0, 1));
        return entries;
    }

    private static CommittedProducers applied(List<Entry> entries) {
        CommittedProducers p = new CommittedProducers();
        entries.forEach(p::apply);
        return p;
    }

    @Test
    void aRestoredSnapshotAnswersRetriesAsTheStateItWasTakenFromDoes() {
        List<Entry> log = log();
        CommittedProducers original = applied(log);
        CommittedProducers restored = new CommittedProducers();
        restored.restore(ByteBuffer.wrap(original.snapshot()));

        assertEquals(original.end(), restored.end());
        ProducerStates state = restored.copy();
        for (int i = 3; i < 8; i++) {
            ProducerStates.Duplicate d = assertInstanceOf(ProducerStates.Duplicate.class,
                    state.check(1, EPOCH, i * 2, 2), "batch " + i + " is in the window");
            assertEquals(original.copy().check(1, EPOCH, i * 2, 2), d, "with its original offset and time");
        }
        assertEquals(ErrorReason.ERROR_REASON_OUT_OF_ORDER_SEQUENCE,
                assertInstanceOf(ProducerStates.Refuse.class, state.check(1, EPOCH, 4, 2)).reason(), "batch 2 is not");
        assertInstanceOf(ProducerStates.Accept.class, state.check(1, EPOCH, 16, 1), "the next sequence");
        assertInstanceOf(ProducerStates.Duplicate.class, state.check(2, EPOCH, 0, 1), "the other producer");
        assertEquals(ErrorReason.ERROR_REASON_PRODUCER_FENCED,
                assertInstanceOf(ProducerStates.Refuse.class, state.check(1, (short) 2, 0, 1)).reason(), "the epoch");
    }

    @Test
    void entriesBelowTheSnapshotsEndAreSkippedWhenAppliedAgainAndLaterOnesRecorded() {
        List<Entry> log = log();
        int cut = 6;
        CommittedProducers restored = new CommittedProducers();
        restored.restore(ByteBuffer.wrap(applied(log.subList(0, cut)).snapshot()));
        // After a restart the log is applied again from its start, which may lie below the snapshot's end.
        log.forEach(restored::apply);

        assertEquals(ByteBuffer.wrap(applied(log).snapshot()), ByteBuffer.wrap(restored.snapshot()),
                "the same state as one built from the whole log");
    }

    @Test
    void emptyBytesAreANewPartitionAndMalformedOnesAreRefused() {
        CommittedProducers p = applied(log());
        p.restore(ByteBuffer.allocate(0));
        assertEquals(0, p.end());
        assertInstanceOf(ProducerStates.Refuse.class, p.copy().check(1, EPOCH, 16, 1), "producer 1 is unknown again");

        byte[] snapshot = applied(log()).snapshot();
        ByteBuffer truncated = ByteBuffer.wrap(snapshot, 0, snapshot.length - 3);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> p.restore(truncated));
        assertEquals(0, p.end(), "a refused snapshot changes nothing: " + e.getMessage());
        snapshot[0] = 9;
        assertThrows(IllegalStateException.class, () -> p.restore(ByteBuffer.wrap(snapshot)));
    }
}
