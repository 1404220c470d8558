package io.flotilla.broker.api;

import io.flotilla.api.v1.ListOffsetsResponse;
import io.flotilla.api.v1.OffsetSpec;
import io.flotilla.broker.partition.PartitionReplica;
import io.flotilla.log.CorruptLogException;
import io.flotilla.log.LogSlice;
import io.flotilla.log.OffsetOutOfRangeException;
import io.flotilla.log.PartitionLog;
import io.flotilla.log.record.RecordBatch;
import io.flotilla.log.record.RecordCursor;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.OptionalLong;

/** ListOffsets: earliest, latest (the high watermark) or the first committed offset at or after a time. */
final class OffsetLookup {
    private OffsetLookup() {
    }

    static ListOffsetsResponse lookup(PartitionReplica replica, OffsetSpec spec) {
        long hw = replica.highWatermark();
        long start = replica.logStartOffset();
        ListOffsetsResponse.Builder out = ListOffsetsResponse.newBuilder().setHighWatermark(hw)
                .setLogStartOffset(start).setTimestampMs(-1);
        switch (spec.getSpecCase()) {
            case EARLIEST -> out.setOffset(start);
            case LATEST -> out.setOffset(hw);
            case TIMESTAMP_MS -> byTime(replica, spec.getTimestampMs(), hw, out);
            default -> throw new IllegalArgumentException("validated before: " + spec.getSpecCase());
        }
        return out.build();
    }

    private static void byTime(PartitionReplica replica, long timestampMs, long hw, ListOffsetsResponse.Builder out) {
        PartitionLog log = replica.log();
        while (true) {
            try {
                OptionalLong found = log.offsetForTimestamp(timestampMs);
                if (found.isEmpty() || found.getAsLong() >= hw) {
                    out.setOffset(hw);
                    return;
                }
                long offset = found.getAsLong();
                out.setOffset(offset).setTimestampMs(timestampOf(log, offset, hw));
                return;
            } catch (OffsetOutOfRangeException e) {
                // Retention deleted the record found before its timestamp was read: the answer
                // is now at or after the new log start, so look again.
                out.setLogStartOffset(replica.logStartOffset());
            } catch (CorruptLogException e) {
                throw replica.damaged(e);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private static long timestampOf(PartitionLog log, long offset, long hw) throws IOException {
        LogSlice slice = log.read(offset, 1, hw);
        ByteBuffer bytes = slice.readVerified();
        RecordBatch batch = new RecordBatch().wrap(bytes, 0);
        RecordCursor cursor = new RecordCursor().reset(batch);
        while (cursor.next()) {
            if (cursor.offset() >= offset) {
                return cursor.timestamp();
            }
        }
        return -1;
    }
}
