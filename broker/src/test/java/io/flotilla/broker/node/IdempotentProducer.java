package io.flotilla.broker.node;

import com.google.protobuf.ByteString;
import io.flotilla.api.v1.ErrorReason;
import io.flotilla.api.v1.InitProducerRequest;
import io.flotilla.api.v1.ProducePartition;
import io.flotilla.api.v1.ProducePartitionResult;
import io.flotilla.api.v1.ProduceRequest;
import io.flotilla.api.v1.ProduceResponse;
import io.flotilla.api.v1.Record;
import io.flotilla.api.v1.RecordList;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * A producer as broker.proto asks clients to write one: idempotent, routed to each partition's
 * leader by {@link LeaderRouter}, a few batches in flight per partition ({@link #MAX_IN_FLIGHT}),
 * and every failed batch retried unchanged (same records, same base sequence) until it is
 * acknowledged, so a retry of a batch that was in fact written is answered as a duplicate
 * instead of being written again. It records where each batch was acknowledged.
 *
 * <p>Record values are {@code p<partition>-<sequence>}: unique, and in production order.
 *
 * <p>All state belongs to one thread ({@code loop}); gRPC callbacks hand their outcome to it.
 */
final class IdempotentProducer implements AutoCloseable {
    /**
     * Batches sent from the oldest unacknowledged one on, acknowledged or not: below the broker's
     * five-batch idempotence window, so a retry of the oldest still finds its original even if
     * every later one was written meanwhile.
     */
    static final int MAX_IN_FLIGHT = 3;
    private static final long CALL_DEADLINE_MS = 3000;
    private static final long OUT_OF_ORDER_RETRY_MS = 20;

    /** A batch the cluster acknowledged: its records hold {@code baseOffset ..} in order. */
    record Acknowledged(int partition, int baseSequence, List<String> values, long baseOffset, int node,
                        boolean duplicate, long atNanos) {
    }

    private static final class Batch {
        final int partition;
        final int baseSequence;
        final List<String> values;
        final ProduceRequest request;
        /** What happened to each attempt, for the failure message. */
        final List<String> history = new ArrayList<>();
        boolean acknowledged;

        Batch(int partition, int baseSequence, List<String> values, ProduceRequest request) {
            this.partition = partition;
            this.baseSequence = baseSequence;
            this.values = values;
            this.request = request;
        }

        @Override
        public String toString() {
            return "p" + partition + " seq " + baseSequence + "+" + values.size() + " " + history;
        }
    }

    /** One partition's batches: sequences are handed out in order, and sent in a bounded window. */
    private static final class Lane {
        int nextSequence;
        final ArrayDeque<Batch> queued = new ArrayDeque<>();
        /** Sent batches from the oldest unacknowledged one on, in sequence order. */
        final ArrayDeque<Batch> window = new ArrayDeque<>();
        final List<String> sent = new CopyOnWriteArrayList<>();
        /** The batch acknowledged last, for the failure message. */
        Batch lastAcknowledged;
    }

    private final LeaderRouter router;
    private final long producerId;
    private final Lane[] lanes;
    private final ScheduledExecutorService loop = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "test-producer");
        t.setDaemon(true);
        return t;
    });
    private final ConcurrentLinkedQueue<Acknowledged> acknowledged = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
    private final AtomicInteger acknowledgedRecords = new AtomicInteger();
    private final AtomicLong retries = new AtomicLong();
    private int nextPartition;

    private IdempotentProducer(LeaderRouter router, long producerId) {
        this.router = router;
        this.producerId = producerId;
        this.lanes = new Lane[router.partitions()];
        for (int p = 0; p < lanes.length; p++) {
            lanes[p] = new Lane();
        }
    }

    /** Obtains a producer id from any node that answers. */
    static IdempotentProducer start(LeaderRouter router) {
        int node = router.anyNode();
        if (node == 0) {
            throw new AssertionError("no node answered GetMetadata, so no producer id could be asked for");
        }
        long id = router.blockingStub(node).withDeadlineAfter(10, TimeUnit.SECONDS)
                .initProducer(InitProducerRequest.getDefaultInstance()).getProducerId();
        return new IdempotentProducer(router, id);
    }

    /** Queues {@code records} records in batches of {@code batchSize}, the batches going to the partitions in turn. */
    void send(int records, int batchSize) {
        for (int sent = 0; sent < records; sent += batchSize) {
            int count = Math.min(batchSize, records - sent);
            onLoop(() -> {
                Lane lane = lanes[nextPartition];
                enqueue(nextPartition, lane, count);
                nextPartition = (nextPartition + 1) % lanes.length;
                pump(lane);
            });
        }
    }

    private void enqueue(int partition, Lane lane, int count) {
        RecordList.Builder records = RecordList.newBuilder();
        List<String> values = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            String value = "p" + partition + "-" + (lane.nextSequence + i);
            values.add(value);
            records.addRecords(Record.newBuilder().setValue(ByteString.copyFrom(value, StandardCharsets.UTF_8)));
        }
        ProduceRequest request = ProduceRequest.newBuilder().setProducerId(producerId).setProducerEpoch(0)
                .addPartitions(ProducePartition.newBuilder().setTopic(router.topic()).setPartition(partition)
                        .setBaseSequence(lane.nextSequence).setRecords(records)).build();
        lane.queued.add(new Batch(partition, lane.nextSequence, List.copyOf(values), request));
        lane.sent.addAll(values);
        lane.nextSequence += count;
    }

    private void pump(Lane lane) {
        while (lane.window.size() < MAX_IN_FLIGHT && !lane.queued.isEmpty()) {
            Batch b = lane.queued.poll();
            lane.window.add(b);
            attempt(b);
        }
    }

    private void attempt(Batch b) {
        int node = router.leader(b.partition);
        if (node == 0) {
            retryLater(b, LeaderRouter.Verdict.retry(100, "no node knows a leader"));
            return;
        }
        // Whether an earlier batch may reach the partition after this one. Judged now, at
        // sending: by the time a refusal is handled here, that batch may be acknowledged.
        boolean mayOvertake = lanes[b.partition].window.peek() != b;
        router.stub(node).withDeadlineAfter(CALL_DEADLINE_MS, TimeUnit.MILLISECONDS).produce(b.request,
                new StreamObserver<>() {
                    private boolean gotAnswer;

                    @Override
                    public void onNext(ProduceResponse response) {
                        gotAnswer = true;
                        onLoop(() -> answered(b, node, mayOvertake, response.getResults(0)));
                    }

                    @Override
                    public void onError(Throwable t) {
                        // A stream cut after its answer arrived (a node stopping) changes nothing.
                        if (!gotAnswer) {
                            onLoop(() -> failed(b, node, mayOvertake, t));
                        }
                    }

                    @Override
                    public void onCompleted() {
                    }
                });
    }

    private void answered(Batch b, int node, boolean mayOvertake, ProducePartitionResult result) {
        Lane lane = lanes[b.partition];
        if (!result.hasError()) {
            b.history.add("node " + node + ": acknowledged at " + result.getBaseOffset()
                    + (result.getDuplicate() ? " (duplicate)" : ""));
            acknowledged.add(new Acknowledged(b.partition, b.baseSequence, b.values, result.getBaseOffset(), node,
                    result.getDuplicate(), System.nanoTime()));
            acknowledgedRecords.addAndGet(b.values.size());
            b.acknowledged = true;
            lane.lastAcknowledged = b;
            while (!lane.window.isEmpty() && lane.window.peek().acknowledged) {
                lane.window.poll();
            }
            pump(lane);
            return;
        }
        if (mayOvertake && overtook(result.getError().getReason())) {
            // An earlier batch of this partition was unanswered when this one was sent, and this
            // one overtook it (calls on one channel are not served in order): it fits once that
            // one is written.
            retryLater(b, LeaderRouter.Verdict.retry(OUT_OF_ORDER_RETRY_MS, "node " + node + ": "
                    + result.getError().getReason() + " while an earlier batch was unanswered"));
            return;
        }
        retryLater(b, router.afterFailure(b.partition, node, result.getError()));
    }

    /** The refusal a batch gets when it arrives before an earlier one. */
    private static boolean overtook(ErrorReason reason) {
        return reason == ErrorReason.ERROR_REASON_OUT_OF_ORDER_SEQUENCE;
    }

    private void failed(Batch b, int node, boolean mayOvertake, Throwable t) {
        if (t instanceof StatusRuntimeException && LeaderRouter.detailOf(t) != null) {
            answered(b, node, mayOvertake, ProducePartitionResult.newBuilder().setError(LeaderRouter.detailOf(t))
                    .build());
        } else {
            retryLater(b, router.afterFailure(b.partition, node, t));
        }
    }

    private void retryLater(Batch b, LeaderRouter.Verdict verdict) {
        b.history.add(verdict.why());
        if (!verdict.retriable()) {
            failures.add("gave up on " + b + " (the last batch acknowledged: "
                    + lanes[b.partition].lastAcknowledged + "): " + verdict.why());
            return;
        }
        retries.incrementAndGet();
        try {
            loop.schedule(guarded(() -> attempt(b)), verdict.delayMs(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException closed) {
            // closing: nothing more is sent
        }
    }

    private void onLoop(Runnable task) {
        try {
            loop.execute(guarded(task));
        } catch (RejectedExecutionException closed) {
            // closing: late answers are dropped
        }
    }

    /** The executor would keep a task's exception to itself: make it fail the test instead. */
    private Runnable guarded(Runnable task) {
        return () -> {
            try {
                task.run();
            } catch (RuntimeException | AssertionError e) {
                failures.add("the producer failed: " + e);
            }
        };
    }

    /** Waits until at least {@code records} records are acknowledged; fails at once if a batch was given up. */
    void awaitAcknowledged(int records, int seconds) {
        TestCluster.await(() -> {
            if (!failures.isEmpty()) {
                throw new AssertionError("the producer gave up: " + failures);
            }
            return acknowledgedRecords.get() >= records;
        }, seconds, () -> records + " records acknowledged (now " + acknowledgedRecords.get() + "; sent from the oldest"
                + " unacknowledged batch on: " + windows() + ")");
    }

    private String windows() {
        try {
            return loop.submit(() -> {
                List<Batch> open = new ArrayList<>();
                for (Lane lane : lanes) {
                    open.addAll(lane.window);
                }
                return open.toString();
            }).get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            return "(unknown: " + e + ")";
        }
    }

    int acknowledgedRecords() {
        return acknowledgedRecords.get();
    }

    /** The batches acknowledged so far that match {@code which}, in the order the answers arrived. */
    List<Acknowledged> acknowledged(Predicate<Acknowledged> which) {
        return acknowledged.stream().filter(which).toList();
    }

    /** Every value queued for {@code partition}, in sequence order. */
    List<String> sent(int partition) {
        return List.copyOf(lanes[partition].sent);
    }

    /** Batches sent again after a failure. */
    long retries() {
        return retries.get();
    }

    @Override
    public void close() {
        loop.shutdownNow();
        try {
            loop.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
