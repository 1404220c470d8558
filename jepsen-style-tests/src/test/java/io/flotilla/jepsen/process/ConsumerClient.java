package io.flotilla.jepsen.process;

import io.flotilla.api.v1.BrokerGrpc;
import io.flotilla.api.v1.FetchRequest;
import io.flotilla.api.v1.FetchResponse;
import io.flotilla.api.v1.FetchedRecord;
import io.flotilla.cli.client.ClientException;
import io.flotilla.jepsen.history.Assign;
import io.flotilla.jepsen.history.Message;
import io.flotilla.jepsen.history.OpType;
import io.flotilla.jepsen.history.Poll;
import io.grpc.StatusRuntimeException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * An assign-mode consumer: it assigns itself every partition from offset 0 and polls them in
 * turn with long-poll Fetches from its position, which advances to each answer's
 * {@code next_offset}. Now and then it seeks back a little on one partition (recorded as an
 * assign), so that records are read again, by then from other leaders.
 *
 * <p>A poll that gets no answer completes as FAIL, not INFO: a read changes nothing, and one
 * whose answer never arrived observed nothing, so the process goes on as itself.
 */
final class ConsumerClient implements Runnable {
    private static final long CALL_DEADLINE_MS = 3_000;
    private static final int MAX_WAIT_MS = 500;
    private static final int MAX_BYTES = 64 * 1024;
    private static final int SEEK_BACK_ONE_IN = 40;
    private static final int SEEK_BACK_MAX = 200;

    private final Workload workload;
    private final Routes routes;
    private final Random random;
    private final long[] position;
    private int process;

    ConsumerClient(Workload workload, Random random) {
        this.workload = workload;
        this.routes = workload.routes();
        this.random = random;
        this.position = new long[routes.partitions()];
    }

    @Override
    public void run() {
        process = workload.newProcess();
        for (int p = 0; p < position.length; p++) {
            assign(p);
        }
        for (int turn = 0; workload.running(); turn++) {
            int partition = turn % position.length;
            if (random.nextInt(SEEK_BACK_ONE_IN) == 0) {
                position[partition] = Math.max(0, position[partition] - random.nextInt(SEEK_BACK_MAX));
                assign(partition);
            }
            poll(partition);
        }
    }

    private void assign(int partition) {
        Assign assign = new Assign(partition);
        workload.recorder().invoke(process, assign);
        workload.recorder().complete(process, OpType.OK, assign);
    }

    private void poll(int partition) {
        workload.recorder().invoke(process, Poll.of(partition));
        int node = routes.leader(partition);
        if (node == 0) {
            workload.recorder().complete(process, OpType.FAIL, Poll.of(partition));
            Workload.backOff();
            return;
        }
        try {
            FetchResponse answer = BrokerGrpc.newBlockingStub(routes.channel(node))
                    .withDeadlineAfter(CALL_DEADLINE_MS, TimeUnit.MILLISECONDS)
                    .fetch(FetchRequest.newBuilder().setTopic(routes.topic()).setPartition(partition)
                            .setOffset(position[partition]).setMaxWaitMs(MAX_WAIT_MS).setMaxBytes(MAX_BYTES).build());
            workload.recorder().complete(process, OpType.OK, new Poll(partition, messages(answer)));
            position[partition] = answer.getNextOffset();
        } catch (StatusRuntimeException e) {
            workload.recorder().complete(process, OpType.FAIL, Poll.of(partition));
            ClientException failure = ClientException.from(e, routes.address(node));
            if (failure.details().isEmpty()) {
                routes.unanswered(partition, node);
            } else {
                routes.refused(partition, node, failure.details().get(0));
            }
            Workload.backOff();
        }
    }

    static List<Message> messages(FetchResponse answer) {
        List<Message> messages = new ArrayList<>(answer.getRecordsCount());
        for (FetchedRecord r : answer.getRecordsList()) {
            messages.add(new Message(r.getOffset(), Workload.decode(r.getValue())));
        }
        return messages;
    }
}
