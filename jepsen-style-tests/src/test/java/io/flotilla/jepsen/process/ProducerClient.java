package io.flotilla.jepsen.process;

import io.flotilla.api.v1.BrokerGrpc;
import io.flotilla.api.v1.ErrorDetail;
import io.flotilla.api.v1.ErrorReason;
import io.flotilla.api.v1.InitProducerRequest;
import io.flotilla.api.v1.ProducePartition;
import io.flotilla.api.v1.ProducePartitionResult;
import io.flotilla.api.v1.ProduceRequest;
import io.flotilla.api.v1.Record;
import io.flotilla.api.v1.RecordList;
import io.flotilla.cli.client.ClientException;
import io.flotilla.jepsen.history.OpType;
import io.flotilla.jepsen.history.Send;
import io.grpc.StatusRuntimeException;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * One idempotent producer, as broker.proto asks clients to write one, sending one value at a
 * time to a random partition: a producer id, an epoch, and a sequence number per partition that
 * advances with each acknowledged record. A send is retried unchanged (same sequence) through
 * redirects, elections and timeouts for up to {@link Workload#SEND_BUDGET_MS}, so a retry of a
 * batch that was in fact written is answered with its original offset.
 *
 * <p>How each send completes in the history:
 * <ul>
 *   <li>OK with its offset when a node acknowledges it;</li>
 *   <li>FAIL only if no attempt can have written it: every answer was a refusal made before
 *       anything is appended (broker.proto's phase 1, or a sequence or epoch refusal);</li>
 *   <li>INFO otherwise (an attempt timed out, lost its connection, or was appended by a leader
 *       that then lost leadership). The producer then moves to the next epoch, so the unknown
 *       batch cannot be confused with later ones, and continues as a new history process.</li>
 * </ul>
 */
final class ProducerClient implements Runnable {
    private static final long CALL_DEADLINE_MS = 2_000;
    private static final int MAX_EPOCH = 32_767;

    /** How one send ended. */
    private sealed interface Outcome permits Acked, Refused, Unknown {
    }

    private record Acked(long offset) implements Outcome {
    }

    private record Refused(ErrorReason reason) implements Outcome {
    }

    private record Unknown() implements Outcome {
    }

    private final Workload workload;
    private final Routes routes;
    private final Random random;
    private final int[] sequence;
    private long producerId;
    private int epoch;
    private int process;

    ProducerClient(Workload workload, Random random) {
        this.workload = workload;
        this.routes = workload.routes();
        this.random = random;
        this.sequence = new int[routes.partitions()];
    }

    @Override
    public void run() {
        process = workload.newProcess();
        newProducerId();
        while (workload.running() && producerId != 0) {
            sendOne();
        }
    }

    private void sendOne() {
        int partition = random.nextInt(routes.partitions());
        Send send = Send.of(partition, workload.newValue());
        workload.recorder().invoke(process, send);
        Outcome outcome = attempt(send);
        if (outcome instanceof Acked acked) {
            workload.recorder().complete(process, OpType.OK, send.at(acked.offset()));
            sequence[partition]++;
        } else if (outcome instanceof Refused refused) {
            workload.recorder().complete(process, OpType.FAIL, send);
            if (refused.reason() == ErrorReason.ERROR_REASON_OUT_OF_ORDER_SEQUENCE
                    || refused.reason() == ErrorReason.ERROR_REASON_PRODUCER_FENCED) {
                nextEpoch(); // the partition's idea of this producer differs from ours: start over
            }
        } else {
            workload.recorder().complete(process, OpType.INFO, send);
            nextEpoch();
            process = workload.newProcess();
        }
    }

    private Outcome attempt(Send send) {
        ProduceRequest request = ProduceRequest.newBuilder().setProducerId(producerId).setProducerEpoch(epoch)
                .setAcks(workload.acks())
                .addPartitions(ProducePartition.newBuilder().setTopic(routes.topic()).setPartition(send.partition())
                        .setBaseSequence(sequence[send.partition()])
                        .setRecords(RecordList.newBuilder().addRecords(Record.newBuilder()
                                .setValue(Workload.encode(send.value())))))
                .build();
        long giveUpAt = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Workload.SEND_BUDGET_MS);
        boolean maybeWritten = false;
        ErrorReason lastRefusal = ErrorReason.ERROR_REASON_NO_LEADER;
        for (long left = Workload.SEND_BUDGET_MS; left > 0;
                left = TimeUnit.NANOSECONDS.toMillis(giveUpAt - System.nanoTime())) {
            int node = routes.leader(send.partition());
            if (node == 0) {
                Workload.backOff();
                continue;
            }
            ErrorDetail refusal;
            try {
                ProducePartitionResult result = BrokerGrpc.newBlockingStub(routes.channel(node))
                        .withDeadlineAfter(Math.min(CALL_DEADLINE_MS, left), TimeUnit.MILLISECONDS)
                        .produce(request).getResults(0);
                if (!result.hasError()) {
                    return new Acked(result.getBaseOffset());
                }
                refusal = result.getError();
                ErrorReason reason = refusal.getReason();
                if (reason == ErrorReason.ERROR_REASON_OUT_OF_ORDER_SEQUENCE
                        || reason == ErrorReason.ERROR_REASON_PRODUCER_FENCED) {
                    // checked in log order before appending: this attempt wrote nothing
                    return maybeWritten ? new Unknown() : new Refused(reason);
                }
                // NOT_LEADER, NO_LEADER, REPLICATION_TIMEOUT after appending: it may still commit
                maybeWritten = true;
            } catch (StatusRuntimeException e) {
                ClientException failure = ClientException.from(e, routes.address(node));
                if (failure.details().isEmpty()) {
                    // no answer from the broker (deadline, connection lost): it may have appended
                    maybeWritten = true;
                    routes.unanswered(send.partition(), node);
                    Workload.backOff();
                    continue;
                }
                // the broker refused the whole call before appending anything (phase 1)
                refusal = failure.details().get(0);
            }
            lastRefusal = refusal.getReason();
            routes.refused(send.partition(), node, refusal);
            if (!(refusal.getReason() == ErrorReason.ERROR_REASON_NOT_LEADER && refusal.hasLeader())) {
                Workload.backOff();
            }
        }
        return maybeWritten ? new Unknown() : new Refused(lastRefusal);
    }

    /** Abandons whatever may be in flight: under the next epoch every partition expects sequence 0. */
    private void nextEpoch() {
        Arrays.fill(sequence, 0);
        if (epoch < MAX_EPOCH) {
            epoch++;
        } else {
            newProducerId();
        }
    }

    /** Asks any node for a producer id, until one answers or the workload stops (then the id stays 0). */
    private void newProducerId() {
        producerId = 0;
        epoch = 0;
        while (workload.running() && producerId == 0) {
            for (int node : routes.nodes()) {
                try {
                    producerId = BrokerGrpc.newBlockingStub(routes.channel(node))
                            .withDeadlineAfter(CALL_DEADLINE_MS, TimeUnit.MILLISECONDS)
                            .initProducer(InitProducerRequest.getDefaultInstance()).getProducerId();
                    return;
                } catch (StatusRuntimeException e) {
                    Workload.backOff();
                }
            }
        }
    }
}
