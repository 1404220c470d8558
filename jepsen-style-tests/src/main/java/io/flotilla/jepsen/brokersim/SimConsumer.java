package io.flotilla.jepsen.brokersim;

import io.flotilla.api.v1.ErrorDetail;
import io.flotilla.api.v1.ErrorReason;
import io.flotilla.api.v1.FetchRequest;
import io.flotilla.api.v1.FetchResponse;
import io.flotilla.api.v1.FetchedRecord;
import io.flotilla.jepsen.history.Message;
import io.flotilla.jepsen.history.OpType;
import io.flotilla.jepsen.history.Poll;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * An assign-mode consumer on simulated time: every partition from offset 0, one Fetch at a time
 * (no long poll), partitions in turn, each read advancing the position to {@code next_offset}.
 * A poll without an answer is FAIL: a read changes nothing, and one whose answer never came
 * observed nothing.
 */
final class SimConsumer {
    private static final int MAX_BYTES = 64 * 1024;

    private final Clients clients;
    private final String topic;
    private final long[] position;
    private final int process;
    /** Per partition, the node thought to lead it. */
    private final int[] leaderGuess;
    private int partition;
    private int attempt;

    SimConsumer(Clients clients, String topic, int partitions) {
        this.clients = clients;
        this.topic = topic;
        this.position = new long[partitions];
        this.process = clients.newProcess();
        this.leaderGuess = new int[partitions];
        Arrays.fill(leaderGuess, 1 + clients.random().nextInt(clients.nodeCount()));
    }

    void start() {
        clients.after(clients.thinkMs().draw(clients.random()), "consumer polls", this::poll);
    }

    private void poll() {
        if (!clients.running()) {
            return;
        }
        partition = (partition + 1) % position.length;
        Poll invocation = Poll.of(partition);
        clients.invoke(process, invocation);
        int node = leaderGuess[partition];
        SimBroker.Life life = clients.life(node);
        if (life == null) {
            failed(node, null);
            return;
        }
        int thisAttempt = ++attempt;
        clients.after(Clients.CALL_TIMEOUT_MS, "consumer call times out", () -> {
            if (attempt == thisAttempt) {
                attempt++;
                failed(node, null);
            }
        });
        FetchRequest request = FetchRequest.newBuilder().setTopic(topic).setPartition(partition)
                .setOffset(position[partition]).setMaxBytes(MAX_BYTES).build();
        life.service.fetch(request, Calls.observer(life, new Calls.Answer<FetchResponse>() {
            @Override
            public void ok(FetchResponse response) {
                if (attempt == thisAttempt) {
                    attempt++;
                    read(response);
                }
            }

            @Override
            public void error(ErrorDetail detail) {
                if (attempt == thisAttempt) {
                    attempt++;
                    failed(node, detail);
                }
            }
        }));
    }

    private void read(FetchResponse response) {
        List<Message> messages = new ArrayList<>(response.getRecordsCount());
        for (FetchedRecord r : response.getRecordsList()) {
            messages.add(new Message(r.getOffset(), Values.decode(r.getValue())));
        }
        clients.complete(process, OpType.OK, new Poll(partition, messages));
        position[partition] = Math.max(position[partition], response.getNextOffset());
        clients.after(clients.thinkMs().draw(clients.random()), "consumer polls", this::poll);
    }

    private void failed(int node, ErrorDetail detail) {
        clients.complete(process, OpType.FAIL, Poll.of(partition));
        if (detail != null && detail.getReason() == ErrorReason.ERROR_REASON_NOT_LEADER && detail.hasLeader()) {
            leaderGuess[partition] = detail.getLeader().getNodeId();
        } else {
            leaderGuess[partition] = 1 + Math.floorMod(node, clients.nodeCount());
        }
        clients.after(Clients.BACKOFF_MS, "consumer polls", this::poll);
    }
}
