package io.flotilla.broker.partition;

import java.nio.ByteBuffer;

/**
 * One Produce entry, validated and encoded into a record batch by the gRPC thread, on its way
 * to the partition's loop.
 *
 * @param batch        one record batch v1, base offset and term left for the log to stamp
 * @param recordCount  records in it
 * @param producerId   -1 for a non-idempotent batch
 * @param appendTimeMs the leader's clock when it encoded the batch (the timestamp of records sent without one)
 * @param leaderAcks   acknowledge once the leader has it, before commit (ACKS_LEADER)
 */
public record ProduceBatch(ByteBuffer batch, int recordCount, long producerId, short producerEpoch, int baseSequence,
                           long appendTimeMs, boolean leaderAcks) {
    public boolean idempotent() {
        return producerId >= 0;
    }
}
