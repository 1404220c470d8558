package io.flotilla.broker.partition;

import io.flotilla.api.v1.FetchFormat;
import io.flotilla.api.v1.FetchResponse;
import io.flotilla.log.CorruptLogException;
import io.flotilla.log.PartitionLog;

/**
 * Reads a replica's own committed log whatever its leadership, for flotilla.internal.v1's
 * ReplicaRead: a follower's view, which a fault-injection harness compares with the other
 * replicas'. Clients read through {@link PartitionReplica#read}, which only a leader serves.
 */
public final class ReplicaLogReader {
    private ReplicaLogReader() {
    }

    /**
     * Decoded records of {@code replica} from {@code offset}, below the high watermark this
     * replica knows (whole batches, the first always, more while they fit in {@code maxBytes});
     * no records when nothing is committed there yet. Never waits.
     */
    public static FetchResponse read(PartitionReplica replica, long offset, int maxBytes) {
        PartitionLog log = replica.log();
        long hw = replica.highWatermark();
        long start = log.startOffset();
        if (offset < start) {
            throw replica.errors().offsetOutOfRange(offset, start, hw, "below the log start");
        }
        if (offset > log.endOffset()) {
            throw replica.errors().offsetOutOfRange(offset, start, hw, "beyond the end of this replica's log");
        }
        if (offset >= hw) {
            return replica.empty(offset);
        }
        try {
            return FetchEncoder.encode(log, offset, maxBytes, hw, FetchFormat.FETCH_FORMAT_RECORDS, replica.errors());
        } catch (CorruptLogException e) {
            throw replica.damaged(e);
        }
    }
}
