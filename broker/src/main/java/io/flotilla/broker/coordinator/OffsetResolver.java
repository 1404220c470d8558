package io.flotilla.broker.coordinator;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import io.flotilla.api.v1.BrokerGrpc;
import io.flotilla.api.v1.ErrorDetail;
import io.flotilla.api.v1.ErrorReason;
import io.flotilla.api.v1.ListOffsetsRequest;
import io.flotilla.api.v1.ListOffsetsResponse;
import io.flotilla.api.v1.OffsetRange;
import io.flotilla.api.v1.OffsetSpec;
import io.flotilla.broker.api.ApiException;
import io.flotilla.broker.api.BrokerContext;
import io.flotilla.broker.api.Calls;
import io.flotilla.broker.groups.PartitionOrder;
import io.flotilla.broker.partition.PartitionReplica;
import io.flotilla.store.TopicPartition;
import io.grpc.Channel;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

/**
 * ResetOffsets' lookups: each partition's new offset, asked of its leader with ListOffsets (the
 * coordinator does not lead the partitions). An explicit offset is checked against what the
 * partition holds, which the leader's answer to an "earliest" lookup tells.
 */
final class OffsetResolver {
    private final BrokerContext node;
    private final IntFunction<Channel> channels;

    /** @param channels a channel to a node's API, null when its address is unknown */
    OffsetResolver(BrokerContext node, IntFunction<Channel> channels) {
        this.node = node;
        this.channels = channels;
    }

    /**
     * The new offset of each partition for {@code spec}; fails with NO_LEADER naming each
     * partition whose leader could not be asked, or OFFSET_OUT_OF_RANGE naming each partition an
     * explicit offset lies outside of.
     */
    CompletableFuture<SortedMap<TopicPartition, Long>> resolve(Collection<TopicPartition> partitions, OffsetSpec spec,
            long waitMs) {
        OffsetSpec asked = spec.hasOffset() ? OffsetSpec.newBuilder().setEarliest(true).build() : spec;
        List<CompletableFuture<ListOffsetsResponse>> answers = new ArrayList<>();
        for (TopicPartition p : partitions) {
            answers.add(ask(p, asked, leaderOf(p), true, waitMs));
        }
        return CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new)).handle((v, ignored) -> {
            SortedMap<TopicPartition, Long> out = new TreeMap<>(PartitionOrder.ORDER);
            List<ErrorDetail> unreachable = new ArrayList<>();
            List<ErrorDetail> outOfRange = new ArrayList<>();
            int i = 0;
            for (TopicPartition p : partitions) {
                CompletableFuture<ListOffsetsResponse> answer = answers.get(i++);
                if (answer.isCompletedExceptionally()) {
                    unreachable.add(noLeader(p, answer));
                    continue;
                }
                ListOffsetsResponse r = answer.join();
                if (spec.hasOffset() && (spec.getOffset() < r.getLogStartOffset() || spec.getOffset() > r.getHighWatermark())) {
                    outOfRange.add(ApiException.detail(ErrorReason.ERROR_REASON_OFFSET_OUT_OF_RANGE, "offset "
                            + spec.getOffset() + " is outside " + show(p) + ", which holds offsets " + r.getLogStartOffset()
                            + " up to its high watermark " + r.getHighWatermark()).setTopic(p.topic())
                            .setPartition(p.partition()).setValidOffsets(OffsetRange.newBuilder()
                                    .setLogStartOffset(r.getLogStartOffset()).setHighWatermark(r.getHighWatermark()))
                            .build());
                }
                out.put(p, spec.hasOffset() ? spec.getOffset() : r.getOffset());
            }
            throwIfAny(outOfRange, "offsets outside what the partitions hold");
            throwIfAny(unreachable, "partitions whose leaders could not be asked");
            return out;
        });
    }

    private static void throwIfAny(List<ErrorDetail> details, String what) {
        if (!details.isEmpty()) {
            throw ApiException.of(details.size() == 1 ? details.get(0).getMessage()
                    : details.size() + " " + what + ": " + details.get(0).getMessage(), details);
        }
    }

    private static ErrorDetail noLeader(TopicPartition p, CompletableFuture<ListOffsetsResponse> failed) {
        Throwable cause = Calls.unwrap(failed.handle((r, e) -> e).join());
        return ApiException.detail(ErrorReason.ERROR_REASON_NO_LEADER, "could not look up the offsets of " + show(p)
                + " at its leader: " + Calls.statusOf(cause).getStatus().getDescription() + "; retry shortly")
                .setTopic(p.topic()).setPartition(p.partition()).setRetryAfterMs(200).build();
    }

    /** The partition's leader as this node knows it: its replica's view, else the preferred leader; 0 when unknown. */
    private int leaderOf(TopicPartition p) {
        BrokerContext.TopicView topic = node.topic(p.topic());
        if (topic == null || p.partition() >= topic.partitionCount()) {
            return 0;
        }
        PartitionReplica replica = node.replica(topic.groupIds()[p.partition()]);
        int viewed = replica == null ? 0 : replica.leadershipView().leaderNode();
        return viewed != 0 ? viewed : topic.preferredLeader()[p.partition()];
    }

    /** ListOffsets at {@code leader}; a NOT_LEADER answer naming another node is followed once. */
    private CompletableFuture<ListOffsetsResponse> ask(TopicPartition p, OffsetSpec spec, int leader, boolean follow,
            long waitMs) {
        Channel channel = leader == 0 ? null : channels.apply(leader);
        if (channel == null) {
            return CompletableFuture.failedFuture(ApiException.of(ErrorReason.ERROR_REASON_NO_LEADER, show(p)
                    + " has no known leader"));
        }
        FutureObserver<ListOffsetsResponse> observer = new FutureObserver<>();
        BrokerGrpc.newStub(channel).withDeadlineAfter(Math.max(1, waitMs), TimeUnit.MILLISECONDS).listOffsets(
                ListOffsetsRequest.newBuilder().setTopic(p.topic()).setPartition(p.partition()).setSpec(spec).build(),
                observer);
        CompletableFuture<ListOffsetsResponse> answer = observer.answer();
        if (!follow) {
            return answer;
        }
        return answer.handle((r, e) -> {
            int hint = e == null ? 0 : redirect(e);
            return hint == 0 || hint == leader ? answer : ask(p, spec, hint, false, waitMs);
        }).thenCompose(f -> f);
    }

    /** The node a NOT_LEADER status names, or 0. */
    private static int redirect(Throwable e) {
        com.google.rpc.Status status = io.grpc.protobuf.StatusProto.fromThrowable(Calls.unwrap(e));
        if (status == null) {
            return 0;
        }
        for (Any any : status.getDetailsList()) {
            try {
                if (any.is(ErrorDetail.class)) {
                    ErrorDetail d = any.unpack(ErrorDetail.class);
                    if (d.getReason() == ErrorReason.ERROR_REASON_NOT_LEADER) {
                        return d.getLeader().getNodeId();
                    }
                }
            } catch (InvalidProtocolBufferException malformed) {
                return 0;
            }
        }
        return 0;
    }

    private static String show(TopicPartition p) {
        return p.topic() + "-" + p.partition();
    }
}
