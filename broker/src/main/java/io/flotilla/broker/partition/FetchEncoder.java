package io.flotilla.broker.partition;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import io.flotilla.api.v1.FetchFormat;
import io.flotilla.api.v1.FetchResponse;
import io.flotilla.api.v1.FetchedRecord;
import io.flotilla.api.v1.Header;
import io.flotilla.log.LogSlice;
import io.flotilla.log.OffsetOutOfRangeException;
import io.flotilla.log.PartitionLog;
import io.flotilla.log.record.RecordBatch;
import io.flotilla.log.record.RecordCursor;
import io.flotilla.log.record.RecordHeader;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;

/**
 * Builds a Fetch answer from the log: whole committed batches from the one holding the
 * requested offset, the first always, then while they fit in the byte budget. Damaged bytes
 * come out as {@link io.flotilla.log.CorruptLogException}, for the caller to report
 * ({@link PartitionReplica#damaged}).
 */
final class FetchEncoder {
    private FetchEncoder() {
    }

    static FetchResponse encode(PartitionLog log, long offset, int maxBytes, long highWatermark, FetchFormat format,
                                PartitionErrors errors) {
        FetchResponse.Builder out = FetchResponse.newBuilder();
        boolean raw = format == FetchFormat.FETCH_FORMAT_RAW_BATCHES;
        ByteString rawBytes = ByteString.EMPTY;
        RecordBatch batch = new RecordBatch();
        RecordCursor cursor = new RecordCursor();
        long next = offset;
        long total = 0;
        try {
            reading:
            while (next < highWatermark) {
                // The log returns at least one batch whatever the budget, so the first is whole.
                int budget = (int) Math.max(1, maxBytes - total);
                LogSlice slice = log.read(next, budget, highWatermark);
                if (slice.isEmpty()) {
                    break;
                }
                ByteBuffer bytes = slice.readVerified();
                int pos = 0;
                while (pos < bytes.limit()) {
                    batch.wrap(bytes, pos);
                    int size = batch.sizeInBytes();
                    if (total > 0 && total + size > maxBytes) {
                        break reading;
                    }
                    total += size;
                    if (raw) {
                        rawBytes = rawBytes.concat(UnsafeByteOperations.unsafeWrap(bytes.duplicate()
                                .position(pos).limit(pos + size).slice()));
                    } else if (!batch.isControl()) {
                        addRecords(out, batch, cursor, offset);
                    }
                    next = batch.nextOffset();
                    pos += size;
                }
            }
        } catch (OffsetOutOfRangeException e) {
            // Retention moved the log start past the offset while we read.
            throw errors.offsetOutOfRange(next, log.startOffset(), highWatermark, "below the log start");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.setRecordBatches(rawBytes).setNextOffset(next).setHighWatermark(highWatermark)
                .setLogStartOffset(log.startOffset()).build();
    }

    private static void addRecords(FetchResponse.Builder out, RecordBatch batch, RecordCursor cursor, long from) {
        cursor.reset(batch);
        while (cursor.next()) {
            if (cursor.offset() < from) {
                continue;
            }
            FetchedRecord.Builder r = out.addRecordsBuilder().setOffset(cursor.offset()).setTimestampMs(cursor.timestamp());
            ByteBuffer key = cursor.key();
            if (key != null) {
                r.setKey(ByteString.copyFrom(key));
            }
            ByteBuffer value = cursor.value();
            if (value != null) {
                r.setValue(ByteString.copyFrom(value));
            }
            if (cursor.headerCount() > 0) {
                for (RecordHeader h : cursor.headers()) {
                    Header.Builder header = r.addHeadersBuilder().setKey(h.key());
                    if (h.value() != null) {
                        header.setValue(ByteString.copyFrom(h.value()));
                    }
                }
            }
        }
    }
}
