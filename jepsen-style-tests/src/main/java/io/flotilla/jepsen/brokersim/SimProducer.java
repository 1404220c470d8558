package io.flotilla.jepsen.brokersim;

import io.flotilla.api.v1.Acks;
import io.flotilla.api.v1.ErrorDetail;
import io.flotilla.api.v1.ErrorReason;
import io.flotilla.api.v1.ProducePartition;
import io.flotilla.api.v1.ProducePartitionResult;
import io.flotilla.api.v1.ProduceRequest;
import io.flotilla.api.v1.ProduceResponse;
import io.flotilla.api.v1.Record;
import io.flotilla.api.v1.RecordList;
import io.flotilla.jepsen.history.OpType;
import io.flotilla.jepsen.history.Send;

import java.util.Arrays;

/**
 * An idempotent producer on simulated time, with the rules of the real-cluster harness's
 * producer: one value at a time to a random partition, retried unchanged (same sequence)
 * through redirects and lost answers for up to {@link Clients#SEND_BUDGET_MS}; OK with the
 * acknowledged offset, FAIL only if no attempt can have written it, INFO otherwise (then the next
 * epoch, as a new history process).
 */
final class SimProducer {
    private final Clients clients;
    private final long producerId;
    private final Acks acks;
    private final int partitions;
    private final int[] sequence;
    private final String topic;
    private int epoch;
    private int process;
    /** Per partition, the node thought to lead it. */
    private final int[] leaderGuess;

    // the send in progress
    private Send send;
    private long giveUpAtMs;
    private boolean maybeWritten;
    private int attempt;

    SimProducer(Clients clients, long producerId, Acks acks, String topic, int partitions) {
        this.clients = clients;
        this.producerId = producerId;
        this.acks = acks;
        this.topic = topic;
        this.partitions = partitions;
        this.sequence = new int[partitions];
        this.process = clients.newProcess();
        this.leaderGuess = new int[partitions];
        Arrays.fill(leaderGuess, 1 + clients.random().nextInt(clients.nodeCount()));
    }

    void start() {
        clients.after(clients.thinkMs().draw(clients.random()), "producer " + producerId + " sends", this::next);
    }

    private void next() {
        if (!clients.running()) {
            return;
        }
        send = Send.of(clients.random().nextInt(partitions), clients.newValue());
        giveUpAtMs = clients.nowMs() + Clients.SEND_BUDGET_MS;
        maybeWritten = false;
        clients.invoke(process, send);
        attempt();
    }

    private void attempt() {
        if (clients.nowMs() >= giveUpAtMs) {
            finish(maybeWritten ? OpType.INFO : OpType.FAIL, -1, null);
            return;
        }
        int node = leaderGuess[send.partition()];
        SimBroker.Life life = clients.life(node);
        if (life == null) { // connection refused: nothing was sent
            leaderGuess[send.partition()] = 1 + Math.floorMod(node, clients.nodeCount());
            retryAfter(Clients.BACKOFF_MS);
            return;
        }
        int thisAttempt = ++attempt;
        ProduceRequest request = ProduceRequest.newBuilder().setProducerId(producerId).setProducerEpoch(epoch)
                .setAcks(acks)
                .addPartitions(ProducePartition.newBuilder().setTopic(topic).setPartition(send.partition())
                        .setBaseSequence(sequence[send.partition()])
                        .setRecords(RecordList.newBuilder().addRecords(Record.newBuilder()
                                .setValue(Values.encode(send.value())))))
                .build();
        clients.after(Clients.CALL_TIMEOUT_MS, "producer " + producerId + " call times out", () -> {
            if (attempt == thisAttempt) {
                attempt++;
                maybeWritten = true; // no answer: it may have been appended
                leaderGuess[send.partition()] = 1 + Math.floorMod(node, clients.nodeCount());
                attempt();
            }
        });
        life.service.produce(request, Calls.observer(life, new Calls.Answer<ProduceResponse>() {
            @Override
            public void ok(ProduceResponse response) {
                if (attempt == thisAttempt) {
                    attempt++;
                    answered(node, response.getResults(0));
                }
            }

            @Override
            public void error(ErrorDetail detail) {
                if (attempt == thisAttempt) {
                    attempt++;
                    refused(node, detail);
                }
            }
        }));
    }

    private void answered(int node, ProducePartitionResult result) {
        if (!result.hasError()) {
            finish(OpType.OK, result.getBaseOffset(), null);
            return;
        }
        ErrorReason reason = result.getError().getReason();
        if (reason == ErrorReason.ERROR_REASON_OUT_OF_ORDER_SEQUENCE
                || reason == ErrorReason.ERROR_REASON_PRODUCER_FENCED) {
            // checked in log order before appending: this attempt wrote nothing
            finish(maybeWritten ? OpType.INFO : OpType.FAIL, -1, reason);
            return;
        }
        maybeWritten = true; // NOT_LEADER, NO_LEADER, REPLICATION_TIMEOUT after appending: it may still commit
        follow(node, result.getError());
    }

    /** The whole call was refused before anything was appended (broker.proto's phase 1). */
    private void refused(int node, ErrorDetail detail) {
        if (detail == null) {
            maybeWritten = true;
            leaderGuess[send.partition()] = 1 + Math.floorMod(node, clients.nodeCount());
            retryAfter(Clients.BACKOFF_MS);
            return;
        }
        follow(node, detail);
    }

    private void follow(int node, ErrorDetail detail) {
        if (detail.getReason() == ErrorReason.ERROR_REASON_NOT_LEADER && detail.hasLeader()) {
            leaderGuess[send.partition()] = detail.getLeader().getNodeId();
            retryAfter(0);
        } else {
            leaderGuess[send.partition()] = 1 + Math.floorMod(node, clients.nodeCount());
            retryAfter(Clients.BACKOFF_MS);
        }
    }

    private void retryAfter(long ms) {
        clients.after(ms, "producer " + producerId + " retries", this::attempt);
    }

    private void finish(OpType type, long offset, ErrorReason reason) {
        Send done = send;
        send = null;
        if (type == OpType.OK) {
            clients.complete(process, type, done.at(offset));
            sequence[done.partition()]++;
        } else {
            clients.complete(process, type, done);
            if (type == OpType.INFO || reason == ErrorReason.ERROR_REASON_OUT_OF_ORDER_SEQUENCE
                    || reason == ErrorReason.ERROR_REASON_PRODUCER_FENCED) {
                Arrays.fill(sequence, 0); // under the next epoch every partition expects sequence 0
                epoch++;
            }
            if (type == OpType.INFO) {
                process = clients.newProcess();
            }
        }
        clients.after(clients.thinkMs().draw(clients.random()), "producer " + producerId + " sends", this::next);
    }
}
