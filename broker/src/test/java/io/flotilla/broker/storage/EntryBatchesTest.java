package io.flotilla.broker.storage;

import io.flotilla.log.record.RecordBatch;
import io.flotilla.log.record.RecordCursor;
import io.flotilla.raft.Entry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static io.flotilla.broker.storage.TestEntries.appending;
import static io.flotilla.broker.storage.TestEntries.data;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EntryBatchesTest {
    @TempDir(factory = ScratchDirs.class)
    Path dir;

    @Test
    void noOpAndMembershipEntriesAreStoredAsControlBatchesAndDataEntriesAreNot() throws Exception {
        List<Entry> entries = List.of(TestEntries.noop(0, 1), data(1, 1, List.of("a", "b")),
                TestEntries.membership(3, 1, StorageFixture.VOTERS), data(4, 1, List.of("c")));
        try (StorageFixture fixture = new StorageFixture(dir)) {
            LogStorage storage = fixture.open(1, true);
            try {
                Outcome.of(new LogPersistence(storage), appending(-1, entries, null)).awaitPersisted();
                ByteBuffer stored = storage.log().read(0, 1 << 20).readVerified();
                RecordBatch batch = new RecordBatch();
                List<Boolean> control = new ArrayList<>();
                List<String> keys = new ArrayList<>();
                for (int pos = 0; pos < stored.limit(); pos += batch.sizeInBytes()) {
                    batch.wrap(stored, pos);
                    control.add(batch.isControl());
                    if (batch.isControl()) {
                        RecordCursor record = new RecordCursor().reset(batch);
                        assertTrue(record.next());
                        keys.add(StandardCharsets.US_ASCII.decode(record.key()).toString());
                    }
                }
                assertEquals(List.of(true, false, true, false), control, "control bit, batch by batch");
                assertEquals(List.of("raft.noop", "raft.membership"), keys, "a control record's key names its kind");
                assertEquals(entries.stream().map(TestEntries::stamped).toList(),
                        storage.entries(0, Long.MAX_VALUE, Long.MAX_VALUE), "and they read back as the entries");
            } finally {
                storage.close();
            }
        }
    }

    @Test
    void aDataEntryMustBeOneOrdinaryBatchOfItsRecordCount() {
        Entry wrongCount = new Entry(0, 3, 1, Entry.Type.DATA, TestEntries.batch(0, 0, List.of("a", "b")));
        assertThrows(IllegalArgumentException.class, () -> EntryBatches.toBatch(wrongCount, 0));

        ByteBuffer noop = EntryBatches.toBatch(TestEntries.noop(0, 1), 0);
        Entry disguised = new Entry(0, 1, 1, Entry.Type.DATA, noop);
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                () -> EntryBatches.toBatch(disguised, 0));
        assertTrue(refused.getMessage().contains("control"), refused.getMessage());

        Entry notABatch = new Entry(0, 1, 1, Entry.Type.DATA, ByteBuffer.wrap(new byte[10]));
        assertThrows(IllegalArgumentException.class, () -> EntryBatches.toBatch(notABatch, 0));
    }

    @Test
    void stampingCopiesAProposalAndLeavesItsBufferAlone() {
        Entry proposal = data(42, 7, List.of("a"));
        ByteBuffer before = proposal.payload().duplicate();
        byte[] original = new byte[before.remaining()];
        before.get(original);

        ByteBuffer stamped = EntryBatches.toBatch(proposal, 0);

        RecordBatch view = new RecordBatch().wrap(stamped, stamped.position());
        assertEquals(42, view.baseOffset());
        assertEquals(7, view.term());
        assertTrue(view.isCrcValid());
        assertEquals(ByteBuffer.wrap(original), proposal.payload(), "the proposal's bytes are unchanged");
        assertFalse(view.isControl());
        Entry fromLeader = new Entry(42, 1, 7, Entry.Type.DATA, stamped);
        assertTrue(EntryBatches.toBatch(fromLeader, 0).array() == stamped.array(), "a stamped batch is stored as is");
    }
}
