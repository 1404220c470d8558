package io.flotilla.jepsen.process;

import io.flotilla.api.internal.v1.ReadReplicaRequest;
import io.flotilla.api.internal.v1.ReadReplicaResponse;
import io.flotilla.api.internal.v1.ReplicaReadGrpc;
import io.flotilla.api.v1.PartitionStatus;
import io.flotilla.api.v1.ReplicaStatus;
import io.flotilla.api.v1.TopicDescription;
import io.flotilla.jepsen.history.FinalRead;
import io.flotilla.jepsen.history.HistoryRecorder;
import io.flotilla.jepsen.history.Message;
import io.flotilla.jepsen.history.OpType;
import io.grpc.StatusRuntimeException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * After healing: waits until every replica of every partition holds the same committed log,
 * then reads each replica whole, through flotilla.internal.v1.ReplicaRead (Fetch serves
 * only from leaders), into the history as final reads.
 */
final class FinalReads {
    private static final long CALL_DEADLINE_MS = 5_000;
    private static final int PAGE_BYTES = 1024 * 1024;

    private final Routes routes;
    private final HistoryRecorder recorder;
    private final List<List<Integer>> replicas;

    /** @param replicas the nodes holding a replica of each partition, by partition */
    FinalReads(Routes routes, HistoryRecorder recorder, List<List<Integer>> replicas) {
        this.routes = routes;
        this.recorder = recorder;
        this.replicas = List.copyOf(replicas);
    }

    /** The nodes holding a replica of each partition, by partition, as {@code topic} was created. */
    static List<List<Integer>> replicasOf(TopicDescription topic) {
        List<List<Integer>> replicas = new ArrayList<>();
        for (PartitionStatus p : topic.getPartitionsList()) {
            replicas.add(p.getReplicasList().stream().map(ReplicaStatus::getNodeId).sorted().toList());
        }
        return replicas;
    }

    /**
     * Waits until, for every partition, all nodes name the same leader and term, and each
     * replica's high watermark equals its log end and the other replicas': nothing uncommitted
     * is left anywhere, and every replica knows it.
     *
     * @return null once converged, else what still differed when {@code timeoutMs} ran out
     */
    String awaitConvergence(long timeoutMs) throws InterruptedException {
        return Polls.untilNone(this::difference, timeoutMs);
    }

    private String difference() {
        for (int p = 0; p < replicas.size(); p++) {
            List<String> states = new ArrayList<>();
            for (int node : replicas.get(p)) {
                try {
                    ReadReplicaResponse r = read(node, p, 0, 1);
                    states.add("leader " + r.getLeaderNodeId() + " term " + r.getLeaderTerm() + " hw "
                            + r.getRead().getHighWatermark() + " end " + r.getLogEndOffset());
                    if (r.getLeaderNodeId() == 0 || r.getRead().getHighWatermark() != r.getLogEndOffset()) {
                        return "partition " + p + " on node " + node + ": " + states.get(states.size() - 1);
                    }
                } catch (StatusRuntimeException e) {
                    return "partition " + p + " on node " + node + ": " + e.getStatus();
                }
            }
            if (states.stream().distinct().count() > 1) {
                return "partition " + p + ": replicas differ: " + states;
            }
        }
        return null;
    }

    /**
     * What the final reads found.
     *
     * @param replicasRead how many replicas were read whole (the others' reads failed part-way, and say so)
     * @param logs         by partition, the committed log (offset to value) of the first of its
     *                     replicas read whole, empty if none was; the checker compares the replicas
     */
    record Result(int replicasRead, List<Map<Long, Long>> logs) {
    }

    /** Reads every replica of every partition from offset 0 to its high watermark, page by page. */
    Result readAll(int process) {
        int whole = 0;
        List<Map<Long, Long>> logs = new ArrayList<>();
        for (int p = 0; p < replicas.size(); p++) {
            Map<Long, Long> first = null;
            for (int node : replicas.get(p)) {
                Map<Long, Long> log = readReplica(process, node, p);
                if (log != null) {
                    whole++;
                    first = first == null ? log : first;
                }
            }
            logs.add(first == null ? Map.of() : first);
        }
        return new Result(whole, logs);
    }

    /** The replica's committed log, offset to value; null if a page could not be read. */
    private Map<Long, Long> readReplica(int process, int node, int partition) {
        Map<Long, Long> log = new HashMap<>();
        long offset = 0;
        while (true) {
            recorder.invoke(process, FinalRead.of(node, partition));
            ReadReplicaResponse r;
            try {
                r = read(node, partition, offset, PAGE_BYTES);
            } catch (StatusRuntimeException e) {
                recorder.complete(process, OpType.FAIL, FinalRead.of(node, partition));
                return null;
            }
            List<Message> page = ConsumerClient.messages(r.getRead());
            recorder.complete(process, OpType.OK, new FinalRead(node, partition, page));
            page.forEach(m -> log.put(m.offset(), m.value()));
            long next = r.getRead().getNextOffset();
            if (next >= r.getRead().getHighWatermark() || next == offset) {
                return log;
            }
            offset = next;
        }
    }

    private ReadReplicaResponse read(int node, int partition, long offset, int maxBytes) {
        return ReplicaReadGrpc.newBlockingStub(routes.channel(node))
                .withDeadlineAfter(CALL_DEADLINE_MS, TimeUnit.MILLISECONDS)
                .readReplica(ReadReplicaRequest.newBuilder().setTopic(routes.topic()).setPartition(partition)
                        .setOffset(offset).setMaxBytes(maxBytes).build());
    }
}
