package io.flotilla.broker.storage;

import io.flotilla.log.record.RecordBatch;
import io.flotilla.log.record.RecordBatchBuilder;
import io.flotilla.log.record.RecordCursor;
import io.flotilla.raft.Entry;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Commands of a state machine kept in snapshots (the controller's metadata, a coordinator's
 * groups) as log entries: each command is the value of one record, one record per batch, so a
 * command is one Raft entry.
 *
 * <p>An instance reuses its views: one per loop-thread owner.
 */
public final class CommandBatches {
    private final RecordBatch view = new RecordBatch();
    private final RecordCursor cursor = new RecordCursor();

    /** {@code command} as the payload of an entry to propose. */
    public static ByteBuffer encode(byte[] command) {
        ByteBuffer buffer = ByteBuffer.allocate(RecordBatch.HEADER_BYTES + 64 + command.length);
        RecordBatchBuilder builder = new RecordBatchBuilder().begin(buffer, 0, 0, 0);
        if (!builder.tryAppend(0, null, ByteBuffer.wrap(command))) {
            throw new IllegalStateException("a command of " + command.length + " bytes did not fit its batch");
        }
        int size = builder.finish();
        return buffer.position(0).limit(size);
    }

    /**
     * The records of data entry {@code entry}, each record's value a command; valid until the
     * next call.
     */
    public RecordCursor commands(Entry entry) {
        ByteBuffer bytes = entry.payload().duplicate().order(ByteOrder.BIG_ENDIAN);
        return cursor.reset(view.wrap(bytes, bytes.position()));
    }
}
