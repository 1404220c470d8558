package io.flotilla.broker.api;

import io.flotilla.api.v1.ErrorDetail;
import io.flotilla.api.v1.ErrorReason;
import io.flotilla.api.v1.Header;
import io.flotilla.api.v1.ProducePartition;
import io.flotilla.api.v1.Record;
import io.flotilla.broker.partition.ProduceBatch;
import io.flotilla.log.record.MalformedBatchException;
import io.flotilla.log.record.RecordBatch;
import io.flotilla.log.record.RecordBatchBuilder;
import io.flotilla.log.record.RecordHeader;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns one Produce entry into the record batch the partition's log will store, checking it
 * against the topic's batch size limit first. A failure is returned as an {@link ErrorDetail}
 * (the request's validation gathers them before failing the call), never thrown.
 */
final class ProduceEncoder {
    /** Per-record framing at most (varint lengths, attributes, deltas) and per header (records.proto). */
    private static final int RECORD_OVERHEAD = 36;
    private static final int HEADER_OVERHEAD = 10;

    /** The encoded batch, or why the entry is refused. */
    record Result(ProduceBatch batch, ErrorDetail.Builder error) {
    }

    private ProduceEncoder() {
    }

    static Result encode(ProducePartition entry, String field, long producerId, short epoch, int baseSequence,
                         int maxBatchBytes, long nowMs, boolean leaderAcks) {
        if (entry.hasRecords()) {
            return encodeRecords(entry.getRecords().getRecordsList(), field + ".records", producerId, epoch,
                    baseSequence, maxBatchBytes, nowMs, leaderAcks);
        }
        if (entry.hasRecordBatch()) {
            return checkRaw(entry.getRecordBatch().toByteArray(), field + ".record_batch", producerId, epoch,
                    baseSequence, maxBatchBytes, nowMs, leaderAcks);
        }
        return refuse(ErrorReason.ERROR_REASON_INVALID_REQUEST, field, field + " has neither records nor record_batch;"
                + " give one of them");
    }

    private static Result encodeRecords(List<Record> records, String field, long producerId, short epoch,
                                        int baseSequence, int maxBatchBytes, long nowMs, boolean leaderAcks) {
        if (records.isEmpty()) {
            return refuse(ErrorReason.ERROR_REASON_INVALID_REQUEST, field, field
                    + " is empty; send at least one record");
        }
        long bound = RecordBatch.HEADER_BYTES;
        long firstTimestamp = Long.MAX_VALUE;
        for (int i = 0; i < records.size(); i++) {
            Record r = records.get(i);
            if (r.hasTimestampMs() && r.getTimestampMs() < 0) {
                return refuse(ErrorReason.ERROR_REASON_INVALID_REQUEST, field + ".records[" + i + "].timestamp_ms",
                        field + ".records[" + i + "].timestamp_ms is " + r.getTimestampMs() + "; timestamps are >= 0");
            }
            long alone = recordBound(r);
            if (RecordBatch.HEADER_BYTES + alone > maxBatchBytes) {
                return tooLarge(ErrorReason.ERROR_REASON_RECORD_TOO_LARGE, field + ".records[" + i + "]",
                        maxBatchBytes, RecordBatch.HEADER_BYTES + alone, "record " + i + " needs up to "
                                + (RecordBatch.HEADER_BYTES + alone) + " bytes alone in a batch");
            }
            bound += alone;
            firstTimestamp = Math.min(firstTimestamp, r.hasTimestampMs() ? r.getTimestampMs() : nowMs);
        }
        // The bound is over the encoded size and within the request's (limited) size, so the
        // batch always fits, and one over the limit is measured exactly before it is refused.
        ByteBuffer buffer = ByteBuffer.allocate((int) bound).order(ByteOrder.BIG_ENDIAN);
        RecordBatchBuilder builder = new RecordBatchBuilder().begin(buffer, 0, 0, firstTimestamp);
        if (producerId >= 0) {
            builder.producer(producerId, epoch, baseSequence);
        }
        for (int i = 0; i < records.size(); i++) {
            Record r = records.get(i);
            List<RecordHeader> headers = headers(r.getHeadersList());
            if (!builder.tryAppend(r.hasTimestampMs() ? r.getTimestampMs() : nowMs,
                    r.hasKey() ? r.getKey().asReadOnlyByteBuffer() : null,
                    r.hasValue() ? r.getValue().asReadOnlyByteBuffer() : null, headers)) {
                throw new IllegalStateException("record " + i + " overflowed its batch's upper bound of " + bound
                        + " bytes");
            }
        }
        int size = builder.finish();
        if (size > maxBatchBytes) {
            return tooLarge(ErrorReason.ERROR_REASON_BATCH_TOO_LARGE, field, maxBatchBytes, size,
                    "the " + records.size() + " records encode to a batch of " + size + " bytes; split them over"
                            + " several requests");
        }
        buffer.position(0).limit(size);
        return new Result(new ProduceBatch(buffer, records.size(), producerId, epoch, baseSequence, nowMs, leaderAcks),
                null);
    }

    private static long recordBound(Record r) {
        long size = RECORD_OVERHEAD + r.getKey().size() + r.getValue().size();
        for (Header h : r.getHeadersList()) {
            size += HEADER_OVERHEAD + h.getKeyBytes().size() + h.getValue().size();
        }
        return size;
    }

    private static List<RecordHeader> headers(List<Header> headers) {
        if (headers.isEmpty()) {
            return List.of();
        }
        List<RecordHeader> out = new ArrayList<>(headers.size());
        for (Header h : headers) {
            out.add(new RecordHeader(h.getKey(), h.hasValue() ? h.getValue().asReadOnlyByteBuffer() : null));
        }
        return out;
    }

    private static Result checkRaw(byte[] bytes, String field, long producerId, short epoch, int baseSequence,
                                   int maxBatchBytes, long nowMs, boolean leaderAcks) {
        if (bytes.length > maxBatchBytes) {
            return tooLarge(ErrorReason.ERROR_REASON_BATCH_TOO_LARGE, field, maxBatchBytes, bytes.length,
                    "the batch is " + bytes.length + " bytes");
        }
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        RecordBatch batch = new RecordBatch().wrap(buffer, 0);
        try {
            batch.validate(bytes.length, maxBatchBytes);
        } catch (MalformedBatchException e) {
            return refuse(ErrorReason.ERROR_REASON_INVALID_RECORD_BATCH, field, field + " is not a valid batch: "
                    + e.getMessage());
        }
        String problem = null;
        if (batch.sizeInBytes() != bytes.length) {
            problem = "holds " + bytes.length + " bytes but its batch is " + batch.sizeInBytes() + "; send one batch";
        } else if (batch.isControl()) {
            problem = "is a control batch; clients may not write control entries";
        } else if (batch.recordCount() < 1) {
            problem = "holds no records";
        } else if (batch.producerId() != producerId || batch.producerEpoch() != epoch
                || batch.baseSequence() != baseSequence) {
            problem = "carries producer " + batch.producerId() + " epoch " + batch.producerEpoch() + " sequence "
                    + batch.baseSequence() + " but the request says " + producerId + ", " + epoch + ", "
                    + baseSequence;
        }
        if (problem != null) {
            return refuse(ErrorReason.ERROR_REASON_INVALID_RECORD_BATCH, field, field + " " + problem);
        }
        return new Result(new ProduceBatch(buffer, batch.recordCount(), producerId, epoch, baseSequence, nowMs,
                leaderAcks), null);
    }

    private static Result tooLarge(ErrorReason reason, String field, long limit, long actual, String why) {
        return new Result(null, ApiException.detail(reason, field + " is over the topic's max_batch_bytes of " + limit
                + ": " + why).setField(field).setLimit(limit).setActual(actual));
    }

    private static Result refuse(ErrorReason reason, String field, String message) {
        return new Result(null, ApiException.detail(reason, message).setField(field));
    }
}
