package io.flotilla.jepsen.process;

import io.flotilla.api.internal.v1.ReadReplicaRequest;
import io.flotilla.api.internal.v1.ReadReplicaResponse;
import io.flotilla.api.internal.v1.ReplicaReadGrpc;
import io.flotilla.api.v1.PartitionStatus;
import io.flotilla.api.v1.ReplicaStatus;
import io.flotilla.api.v1.TopicDescription;
import io.flotilla.jepsen.history.FinalRead;
import io.flotilla.jepsen.history.HistoryRecorder;
import io.flotilla.jepsen.history.OpType;
import io.grpc.StatusRuntimeException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * After healing: waits until every replica of every partition holds the same committed log,
 * then reads each replica whole, through flotilla.internal.v1.ReplicaRead (Fetch serves
 * only from leaders), into the history as final reads.
 */
final class FinalReads {
    private static final long CALL_DEADLINE_MS = 5_000;
    private static final int PAGE_BYTES = 1024 * 1024;
    private static final long CONVERGENCE_POLL_MS = 200;

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
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (true) {
            String difference = difference();
            if (difference == null) {
                return null;
            }
            if (System.nanoTime() - deadline > 0) {
                return difference;
            }
            Thread.sleep(CONVERGENCE_POLL_MS); // polling an outcome with a bound, not ordering threads
        }
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
     * Reads every replica of every partition from offset 0 to its high watermark, page by page.
     *
     * @return how many replicas were read whole (the others' reads failed part-way, and say so)
     */
    int readAll(int process) {
        int whole = 0;
        for (int p = 0; p < replicas.size(); p++) {
            for (int node : replicas.get(p)) {
                whole += readReplica(process, node, p) ? 1 : 0;
            }
        }
        return whole;
    }

    private boolean readReplica(int process, int node, int partition) {
        long offset = 0;
        while (true) {
            recorder.invoke(process, FinalRead.of(node, partition));
            ReadReplicaResponse r;
            try {
                r = read(node, partition, offset, PAGE_BYTES);
            } catch (StatusRuntimeException e) {
                recorder.complete(process, OpType.FAIL, FinalRead.of(node, partition));
                return false;
            }
            recorder.complete(process, OpType.OK, new FinalRead(node, partition, ConsumerClient.messages(r.getRead())));
            long next = r.getRead().getNextOffset();
            if (next >= r.getRead().getHighWatermark() || next == offset) {
                return true;
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
