package io.flotilla.broker.partition;

import io.flotilla.api.v1.ErrorReason;
import io.flotilla.api.v1.LeaderHint;
import io.flotilla.api.v1.OffsetRange;
import io.flotilla.broker.api.ApiException;
import io.flotilla.log.CorruptLogException;

import java.util.function.IntFunction;

/** The errors one partition answers with, each naming the partition (and the leader, where known). */
public final class PartitionErrors {
    /** How long a client should wait before asking again while a replica recovers: about an election. */
    private static final int RECOVERY_RETRY_MS = 1000;

    private final String topic;
    private final int partition;
    private final IntFunction<String> addressOf;

    /** @param addressOf a node's client address, or null if unknown */
    public PartitionErrors(String topic, int partition, IntFunction<String> addressOf) {
        this.topic = topic;
        this.partition = partition;
        this.addressOf = addressOf;
    }

    public String name() {
        return topic + "-" + partition;
    }

    /** NOT_LEADER naming {@code leaderNode}, or NO_LEADER when none is known (0). */
    public ApiException notLeader(int selfNode, int leaderNode, long leaderTerm) {
        if (leaderNode <= 0 || leaderNode == selfNode) {
            return ApiException.of(detail(ErrorReason.ERROR_REASON_NO_LEADER, name() + " has no leader right now"
                    + " (an election is under way); retry shortly").setRetryAfterMs(100));
        }
        String address = addressOf.apply(leaderNode);
        return ApiException.of(detail(ErrorReason.ERROR_REASON_NOT_LEADER, "node " + selfNode + " does not lead "
                + name() + "; node " + leaderNode + (address == null ? "" : " (" + address + ")") + " does")
                .setLeader(LeaderHint.newBuilder().setNodeId(leaderNode).setLeaderTerm(leaderTerm)
                        .setAddress(address == null ? "" : address)));
    }

    public ApiException leaderNotReady(long term) {
        return ApiException.of(detail(ErrorReason.ERROR_REASON_NO_LEADER, name() + " has a new leader (term " + term
                + ") that is still committing its first entry; retry shortly").setRetryAfterMs(50));
    }

    /** OFFSET_OUT_OF_RANGE for {@code offset}; the partition holds committed offsets {@code start .. end - 1}. */
    public ApiException offsetOutOfRange(long offset, long start, long end, String which) {
        String holds = start < end ? "which holds offsets " + start + " to " + (end - 1)
                : "which holds no records; the next one will get offset " + end;
        return ApiException.of(detail(ErrorReason.ERROR_REASON_OFFSET_OUT_OF_RANGE, "offset " + offset + " is "
                + which + " of " + name() + ", " + holds + " (log start " + start + ", high watermark " + end + ")")
                .setValidOffsets(OffsetRange.newBuilder().setLogStartOffset(start).setHighWatermark(end)));
    }

    public ApiException refused(ErrorReason reason, String message) {
        return ApiException.of(detail(reason, name() + ": " + message));
    }

    public ApiException stopped(Throwable cause) {
        return ApiException.of(detail(ErrorReason.ERROR_REASON_NODE_NOT_READY, "this node stopped serving " + name()
                + ": " + cause).setRetryAfterMs(500));
    }

    /** DATA_LOSS CORRUPT_DATA: a read met damaged bytes, and this node recovers its replica from its peers. */
    public ApiException corrupt(CorruptLogException e) {
        return ApiException.of(detail(ErrorReason.ERROR_REASON_CORRUPT_DATA, name() + ": " + e.getMessage()
                + "; this node stops serving it and recovers its replica from its peers, and the partition's next"
                + " leader serves meanwhile").setRetryAfterMs(RECOVERY_RETRY_MS));
    }

    /** The replica is being reopened to recover data its log lost. */
    public ApiException recovering() {
        return ApiException.of(detail(ErrorReason.ERROR_REASON_NODE_NOT_READY, "this node found damaged data in its"
                + " replica of " + name() + " and is recovering it from its peers; ask GetMetadata for the leader")
                .setRetryAfterMs(RECOVERY_RETRY_MS));
    }

    /** The replica is gone because its topic was deleted. */
    public ApiException topicDeleted() {
        return ApiException.of(detail(ErrorReason.ERROR_REASON_TOPIC_NOT_FOUND, "topic '" + topic
                + "' was deleted, and " + name() + " with it"));
    }

    /** The replica is gone because this node is stopping. */
    public ApiException stopping() {
        return ApiException.of(detail(ErrorReason.ERROR_REASON_NODE_NOT_READY, "this node is stopping and no longer"
                + " serves " + name() + "; ask GetMetadata of another node for its new leader").setRetryAfterMs(500));
    }

    private io.flotilla.api.v1.ErrorDetail.Builder detail(ErrorReason reason, String message) {
        return ApiException.detail(reason, message).setTopic(topic).setPartition(partition);
    }
}
