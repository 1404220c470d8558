package io.flotilla.jepsen.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Any;
import io.flotilla.api.v1.Acks;
import io.flotilla.api.v1.BrokerGrpc;
import io.flotilla.api.v1.ErrorDetail;
import io.flotilla.api.v1.ErrorReason;
import io.flotilla.api.v1.GetMetadataRequest;
import io.flotilla.api.v1.GetMetadataResponse;
import io.flotilla.api.v1.InitProducerRequest;
import io.flotilla.api.v1.InitProducerResponse;
import io.flotilla.api.v1.LeaderHint;
import io.flotilla.api.v1.PartitionMetadata;
import io.flotilla.api.v1.ProducePartition;
import io.flotilla.api.v1.ProducePartitionResult;
import io.flotilla.api.v1.ProduceRequest;
import io.flotilla.api.v1.ProduceResponse;
import io.flotilla.api.v1.TopicMetadata;
import io.flotilla.jepsen.history.History;
import io.flotilla.jepsen.history.HistoryEntry;
import io.flotilla.jepsen.history.HistoryRecorder;
import io.flotilla.jepsen.history.HistoryWriter;
import io.flotilla.jepsen.history.Op;
import io.flotilla.jepsen.history.OpType;
import io.flotilla.jepsen.history.Send;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.StreamObserver;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How a producer's sends complete in the history, against a scripted broker: OK with the
 * acknowledged offset; FAIL only when no attempt can have written the value; INFO when one may
 * have (then the next epoch, sequences from 0, and a new process); retries keep the sequence.
 */
class ProducerClientTest {
    private static final long PRODUCER_ID = 7;

    /** What the scripted broker does with one Produce. */
    private enum Answer {
        ACKNOWLEDGE,
        /** Phase 1: refused before appending, with a hint to the same node. */
        NOT_LEADER_BEFORE_APPENDING,
        /** Phase 2: appended, then not committed in time: the batch may still commit. */
        REPLICATION_TIMEOUT,
        /** Phase 2: refused by the sequence check, nothing appended. */
        OUT_OF_ORDER_SEQUENCE,
        /** No answer: the call fails as if the connection broke. */
        CONNECTION_LOST
    }

    /** One Produce as the broker saw it. */
    private record Received(int epoch, int baseSequence, long value) {
    }

    @TempDir
    Path dir;

    @Test
    void eachSendCompletesOkFailOrInfoAsTheBrokerAnswersAndRetriesKeepTheirSequence() throws Exception {
        ScriptedBroker broker = new ScriptedBroker(List.of(
                Answer.OUT_OF_ORDER_SEQUENCE,                                   // send 1: fail
                Answer.NOT_LEADER_BEFORE_APPENDING, Answer.ACKNOWLEDGE,          // send 2: ok at 0
                Answer.REPLICATION_TIMEOUT, Answer.OUT_OF_ORDER_SEQUENCE,        // send 3: info
                Answer.CONNECTION_LOST, Answer.ACKNOWLEDGE));                    // send 4: ok at 1
        Server server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)).addService(broker)
                .build().start();
        Path file = dir.resolve("history.jsonl");
        try (HistoryRecorder recorder = new HistoryRecorder(HistoryWriter.create(file));
             Routes routes = new Routes("jepsen", 1, Map.of(1, "127.0.0.1:" + server.getPort()))) {
            Workload workload = new Workload(recorder, routes, Acks.ACKS_QUORUM, 1, 0, 1);
            workload.start();
            assertTrue(broker.eightReceived.await(20, TimeUnit.SECONDS), "eight produce calls within 20 s");
            workload.stop();
        } finally {
            server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }

        List<Op> completions = new ArrayList<>();
        History.file(file).forEach((HistoryEntry e, long line) -> {
            if (e instanceof Op op && op.type() != OpType.INVOKE) {
                completions.add(op);
            }
        });
        assertEquals(List.of(OpType.FAIL, OpType.OK, OpType.INFO, OpType.OK),
                completions.subList(0, 4).stream().map(Op::type).toList(), completions.toString());
        assertEquals(List.of(Send.UNKNOWN, 0L, Send.UNKNOWN, 1L),
                completions.subList(0, 4).stream().map(op -> ((Send) op.action()).offset()).toList());
        int first = completions.get(0).process();
        assertEquals(List.of(first, first, first, first + 1),
                completions.subList(0, 4).stream().map(Op::process).toList(), "a new process after the info");
        assertEquals(List.of(
                new Received(0, 0, 1),                          // refused by the sequence check: next epoch
                new Received(1, 0, 2), new Received(1, 0, 2),   // a retry after a redirect keeps its sequence
                new Received(1, 1, 3), new Received(1, 1, 3),   // a retry after a timeout too
                new Received(2, 0, 4), new Received(2, 0, 4),   // after the info: next epoch, sequence 0
                new Received(2, 1, 5)), broker.received.subList(0, 8));
    }

    /** Leads the one partition of "jepsen" and answers Produce as scripted, then acknowledges. */
    private static final class ScriptedBroker extends BrokerGrpc.BrokerImplBase {
        final List<Received> received = new CopyOnWriteArrayList<>();
        final CountDownLatch eightReceived = new CountDownLatch(8);
        private final Queue<Answer> script;
        private long nextOffset;

        ScriptedBroker(List<Answer> script) {
            this.script = new ArrayDeque<>(script);
        }

        @Override
        public void getMetadata(GetMetadataRequest request, StreamObserver<GetMetadataResponse> out) {
            out.onNext(GetMetadataResponse.newBuilder().addTopics(TopicMetadata.newBuilder().setName("jepsen")
                    .addPartitions(PartitionMetadata.newBuilder().setPartition(0).setLeaderNodeId(1))).build());
            out.onCompleted();
        }

        @Override
        public void initProducer(InitProducerRequest request, StreamObserver<InitProducerResponse> out) {
            out.onNext(InitProducerResponse.newBuilder().setProducerId(PRODUCER_ID).build());
            out.onCompleted();
        }

        @Override
        public synchronized void produce(ProduceRequest request, StreamObserver<ProduceResponse> out) {
            ProducePartition entry = request.getPartitions(0);
            received.add(new Received(request.getProducerEpoch(), entry.getBaseSequence(),
                    Workload.decode(entry.getRecords().getRecords(0).getValue())));
            eightReceived.countDown();
            Answer answer = script.isEmpty() ? Answer.ACKNOWLEDGE : script.poll();
            ProducePartitionResult.Builder result = ProducePartitionResult.newBuilder().setTopic("jepsen")
                    .setPartition(0).setBaseOffset(-1);
            switch (answer) {
                case ACKNOWLEDGE -> result.setBaseOffset(nextOffset++);
                case REPLICATION_TIMEOUT -> result.setError(detail(ErrorReason.ERROR_REASON_REPLICATION_TIMEOUT));
                case OUT_OF_ORDER_SEQUENCE -> result.setError(detail(ErrorReason.ERROR_REASON_OUT_OF_ORDER_SEQUENCE));
                case NOT_LEADER_BEFORE_APPENDING -> {
                    out.onError(StatusProto.toStatusRuntimeException(com.google.rpc.Status.newBuilder()
                            .setCode(Status.Code.FAILED_PRECONDITION.value()).setMessage("not the leader")
                            .addDetails(Any.pack(detail(ErrorReason.ERROR_REASON_NOT_LEADER).toBuilder()
                                    .setLeader(LeaderHint.newBuilder().setNodeId(1)).build())).build()));
                    return;
                }
                case CONNECTION_LOST -> {
                    out.onError(Status.UNAVAILABLE.withDescription("connection reset").asRuntimeException());
                    return;
                }
                default -> throw new IllegalStateException("unscripted answer " + answer);
            }
            out.onNext(ProduceResponse.newBuilder().addResults(result).build());
            out.onCompleted();
        }

        private static ErrorDetail detail(ErrorReason reason) {
            return ErrorDetail.newBuilder().setReason(reason).setMessage(reason.name()).build();
        }
    }
}
