package io.flotilla.cli.client;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.protobuf.ByteString;
import io.flotilla.api.v1.AdminGrpc;
import io.flotilla.api.v1.BrokerGrpc;
import io.flotilla.api.v1.DescribeTopicsRequest;
import io.flotilla.api.v1.DescribeTopicsResponse;
import io.flotilla.api.v1.ErrorReason;
import io.flotilla.api.v1.InitProducerRequest;
import io.flotilla.api.v1.InitProducerResponse;
import io.flotilla.api.v1.ProducePartition;
import io.flotilla.api.v1.ProducePartitionResult;
import io.flotilla.api.v1.ProduceRequest;
import io.flotilla.api.v1.ProduceResponse;
import io.flotilla.api.v1.Record;
import io.flotilla.api.v1.RecordList;
import io.grpc.Status;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An idempotent producer for one topic.
 *
 * <p>The caller's thread ({@link #send}, {@link #flush}, {@link #finish}) partitions records
 * (Kafka's murmur2 of the key; records without a key stick to one partition until its batch is
 * sent, then move to the next) and gathers them into one batch per partition. A batch is sealed
 * when it is full, on {@link #flush}, or once the partition has no sealed batch waiting to go and
 * the batch's first record has waited {@link ProducerConfig#lingerMs}: as a record is added, by
 * a timer of the event thread, or by the event thread when the partition's last waiting batch
 * goes out. So beyond the linger, records wait only while the partition's calls in flight are
 * at their limit, and a batch grows with the load (as Kafka's producer batches). Sealed batches go
 * to the client's event thread, which owns all sending state: it numbers each partition's
 * batches with consecutive sequence numbers (broker.proto, InitProducer), sends the batches of
 * partitions led by one node together in one Produce call, keeps up to
 * {@link ProducerConfig#maxInFlightPerPartition} calls in flight per partition, and resends
 * failed batches unchanged, in sequence order, once the partition's earlier calls have
 * answered, so the leader deduplicates whatever was in fact written.
 *
 * <p>A batch that cannot be written (a refusal that retrying cannot fix, or attempts used up)
 * fails its partition: its records and every later record for that partition are reported to
 * the {@link Listener}, since a gap in the sequence would make the leader refuse every
 * later batch anyway. Other partitions go on.
 */
public final class Producer {

    /**
     * Told what became of the records, by their 1-based numbers in send order, on the client's
     * event thread (so it must be quick).
     */
    @FunctionalInterface
    public interface Listener {
        /** A record that was not written, and why. */
        void failed(long recordNumber, String reason);

        /**
         * Records of one batch that the cluster acknowledged, at {@code nanoTime}
         * ({@link System#nanoTime}). The array belongs to the producer: read it, do not keep it.
         */
        default void written(long[] recordNumbers, long nanoTime) {
        }
    }

    /** How a run went, in records. */
    public record Summary(long records, long written, long failed) {}

    /** The batch header and the most framing one record can need (records.proto, Record). */
    static final int BATCH_HEADER_BYTES = 61;
    static final int RECORD_OVERHEAD_BYTES = 36;
    private static final int DEFAULT_MAX_BATCH_BYTES = 1024 * 1024;

    private final FlotillaClient client;
    private final String topic;
    private final ProducerConfig config;
    private final Listener listener;
    private final long producerId;
    private final int producerEpoch;
    private final int maxBatchBytes;
    private final int batchBytes;
    private final long lingerNanos;
    private final Semaphore buffer;
    private final AtomicLong written = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    /** Per partition: sealed batches the event thread has not sent a first time (or failed) yet. */
    private final AtomicIntegerArray unsent;
    private final CompletableFuture<Summary> done = new CompletableFuture<>();

    // Guarded by `open`: the caller's thread fills batches, and the event thread seals one whose
    // partition has nothing left unsent. The lock is held for one record's work, never while
    // waiting for buffer space.
    private final OpenBatch[] open;
    private int sticky;
    // The caller's thread only.
    private long records;

    // The event thread only.
    private final ScheduledExecutorService events;
    private final PartitionQueue[] queues;
    private int requestsInFlight;
    private boolean finishing;
    /** An open batch could not be sealed for lack of buffer space: try again when space is released. */
    private boolean sealWaitsForBuffer;
    /** Partitions whose last unsent batch just went out, to seal what the caller gathered meanwhile. */
    private final BitSet drained = new BitSet();

    private Producer(FlotillaClient client, String topic, ProducerConfig config, Listener listener,
            int partitionCount, int maxBatchBytes, InitProducerResponse identity) {
        this.client = client;
        this.topic = topic;
        this.config = config;
        this.listener = listener;
        this.producerId = identity.getProducerId();
        this.producerEpoch = identity.getProducerEpoch();
        this.maxBatchBytes = maxBatchBytes;
        this.batchBytes = Math.min(config.batchBytes(), maxBatchBytes);
        this.lingerNanos = TimeUnit.MILLISECONDS.toNanos(config.lingerMs());
        this.buffer = new Semaphore(config.bufferBytes());
        this.events = client.scheduler();
        this.open = new OpenBatch[partitionCount];
        this.queues = new PartitionQueue[partitionCount];
        this.unsent = new AtomicIntegerArray(partitionCount);
        for (int p = 0; p < partitionCount; p++) {
            queues[p] = new PartitionQueue(p);
        }
        this.sticky = ThreadLocalRandom.current().nextInt(partitionCount);
    }

    /**
     * Looks the topic up (its partitions and max_batch_bytes) and obtains a producer id.
     *
     * @throws ClientException NOT_FOUND when the topic does not exist, or any other refusal
     */
    public static Producer start(FlotillaClient client, String topic, ProducerConfig config,
            Listener listener) {
        client.refreshMetadata(List.of(topic));
        DescribeTopicsResponse described = client.callAnyNode(ch -> AdminGrpc.newBlockingStub(ch)
                .describeTopics(DescribeTopicsRequest.newBuilder().addNames(topic).build()));
        int maxBatchBytes = DEFAULT_MAX_BATCH_BYTES;
        if (described.getTopicsCount() > 0 && described.getTopics(0).getConfig().getMaxBatchBytes() > 0) {
            maxBatchBytes = Math.min(described.getTopics(0).getConfig().getMaxBatchBytes(),
                    ProducerConfig.MAX_TOPIC_BATCH_BYTES);
        }
        int partitions = client.partitionCount(topic);
        if (partitions < 1) {
            throw ClientException.local(Status.Code.INTERNAL, "the cluster's metadata lists no partitions of topic '"
                    + topic + "'");
        }
        InitProducerResponse identity = client.callAnyNode(ch -> BrokerGrpc.newBlockingStub(ch)
                .initProducer(InitProducerRequest.getDefaultInstance()));
        return new Producer(client, topic, config, listener, partitions, maxBatchBytes, identity);
    }

    /**
     * The most records a producer can hold unacknowledged: its buffer of sealed batches plus one
     * open batch per partition, each record counted at its framing plus {@code keyAndValueBytes}.
     */
    public static long mostRecordsHeld(ProducerConfig config, int partitions, int keyAndValueBytes) {
        return (config.bufferBytes() + (long) partitions * config.batchBytes())
                / (RECORD_OVERHEAD_BYTES + keyAndValueBytes) + 1;
    }

    /** The topic's partition count, as records are spread over it. */
    public int partitionCount() {
        return open.length;
    }

    /**
     * Adds a record; blocks while {@link ProducerConfig#bufferBytes} of batches are unanswered.
     * A record too large for any batch of the topic is reported failed at once.
     *
     * @param key null for none
     */
    public void send(ByteString key, ByteString value) throws InterruptedException {
        send(-1, key, value);
    }

    /**
     * As {@link #send(ByteString, ByteString)}, to the given partition instead of the one the key
     * (or its absence) chooses.
     *
     * @param partition 0 .. {@link #partitionCount()} - 1, or -1 to let the key choose
     * @throws IllegalArgumentException if the topic has no such partition
     */
    public void send(int partition, ByteString key, ByteString value) throws InterruptedException {
        if (partition < -1 || partition >= open.length) {
            throw new IllegalArgumentException("topic '" + topic + "' has " + open.length + " partitions (0.."
                    + (open.length - 1) + "); there is no partition " + partition);
        }
        long number = ++records;
        int size = RECORD_OVERHEAD_BYTES + value.size() + (key == null ? 0 : key.size());
        if (BATCH_HEADER_BYTES + size > maxBatchBytes) {
            failed.incrementAndGet();
            listener.failed(number, "a record of " + (key == null ? 0 : key.size()) + " key and " + value.size()
                    + " value bytes cannot fit in a batch of the topic's max_batch_bytes (" + maxBatchBytes
                    + "); raise it with the topic config or send a smaller record");
            return;
        }
        Batch full = null;
        Batch ready = null;
        synchronized (open) {
            int p = partition;
            if (p < 0 && key != null) {
                p = Murmur2.partition(key.asReadOnlyByteBuffer(), open.length);
            } else if (p < 0) {
                if (open[sticky] != null && open[sticky].bytes + size > batchBytes) {
                    full = detach(sticky); // moves `sticky` on
                }
                p = sticky;
            }
            OpenBatch batch = open[p];
            if (batch != null && batch.bytes + size > batchBytes) {
                full = detach(p);
                batch = null;
            }
            if (batch == null) {
                batch = new OpenBatch(System.nanoTime());
                open[p] = batch;
            }
            Record.Builder record = batch.records.addRecordsBuilder().setValue(value);
            if (key != null) {
                record.setKey(key);
            }
            batch.add(number, size);
            ready = sealIfDue(p);
        }
        handOff(full);
        handOff(ready);
    }

    /**
     * Holding the lock on {@code open}: detaches partition {@code p}'s open batch if the partition
     * has nothing sealed waiting and the batch has lingered long enough; if only the linger is
     * missing, has the event thread look again when it ends (once per batch).
     */
    private Batch sealIfDue(int p) {
        OpenBatch o = open[p];
        if (o == null || unsent.get(p) != 0) {
            return null;
        }
        long lingerLeft = lingerNanos - (System.nanoTime() - o.createdNanos);
        if (lingerLeft <= 0) {
            return detach(p);
        }
        if (!o.lingerTimerSet) {
            o.lingerTimerSet = true;
            events.schedule(guarded(() -> sealIdle(p)), lingerLeft, TimeUnit.NANOSECONDS);
        }
        return null;
    }

    /** Sends every partly filled batch now (for example when the input pauses). */
    public void flush() throws InterruptedException {
        for (int p = 0; p < open.length; p++) {
            Batch b;
            synchronized (open) {
                b = open[p] == null ? null : detach(p);
            }
            handOff(b);
        }
    }

    /** Sends what is left and waits until every record is written or reported failed. */
    public Summary finish() throws InterruptedException {
        flush();
        events.execute(guarded(() -> {
            finishing = true;
            pump();
        }));
        try {
            return done.get();
        } catch (ExecutionException e) {
            throw new IllegalStateException("the producer's event thread failed", e.getCause());
        }
    }

    /** Takes partition {@code p}'s open batch for sending (holding the lock on {@code open}). */
    private Batch detach(int p) {
        OpenBatch batch = open[p];
        open[p] = null;
        if (p == sticky) {
            sticky = (sticky + 1) % open.length;
        }
        unsent.incrementAndGet(p);
        return new Batch(p, batch.records.build(), Arrays.copyOf(batch.numbers, batch.count), batch.bytes);
    }

    /** The caller's thread: waits for buffer space, then gives the batch to the event thread. */
    private void handOff(Batch sealed) {
        if (sealed == null) {
            return;
        }
        buffer.acquireUninterruptibly(sealed.bytes);
        events.execute(guarded(() -> enqueue(sealed)));
    }

    /**
     * The event thread, once partition {@code p} has nothing unsent or its open batch's linger
     * ended: seals and sends what the caller gathered meanwhile, so records never wait for the
     * caller's next send. Skipped when the buffer is full (the event thread must not wait); tried
     * again as space is released.
     */
    private void sealIdle(int p) {
        Batch b;
        synchronized (open) {
            OpenBatch o = open[p];
            if (o == null) {
                return;
            }
            if (!buffer.tryAcquire(o.bytes)) {
                sealWaitsForBuffer = true;
                return;
            }
            b = sealIfDue(p);
            if (b == null) {
                buffer.release(o.bytes);
                return;
            }
        }
        enqueue(b);
    }

    /** A batch being filled by the caller's thread. */
    private static final class OpenBatch {
        final RecordList.Builder records = RecordList.newBuilder();
        final long createdNanos;
        long[] numbers = new long[16];
        int count;
        int bytes = BATCH_HEADER_BYTES;
        boolean lingerTimerSet;

        OpenBatch(long createdNanos) {
            this.createdNanos = createdNanos;
        }

        void add(long number, int size) {
            if (count == numbers.length) {
                numbers = Arrays.copyOf(numbers, count * 2);
            }
            numbers[count++] = number;
            bytes += size;
        }
    }

    /** A sealed batch; its sequence is fixed when first sent and kept for every resend. */
    private static final class Batch {
        final int partition;
        final RecordList records;
        final long[] numbers;
        final int bytes;
        long ordinal;
        int baseSequence = -1;
        int attempts;
        /** Whether an earlier batch of the partition was unanswered when this one was last sent. */
        boolean sentBehindEarlierBatch;

        Batch(int partition, RecordList records, long[] numbers, int bytes) {
            this.partition = partition;
            this.records = records;
            this.numbers = numbers;
            this.bytes = bytes;
        }
    }

    /** One partition's batches on the event thread, oldest first. */
    private static final class PartitionQueue {
        final int partition;
        final ArrayDeque<Batch> waiting = new ArrayDeque<>();
        final List<Batch> inFlight = new ArrayList<>();
        /** Failed batches held back until every earlier call of the partition has answered. */
        final List<Batch> toResend = new ArrayList<>();
        long resendDelayMs;
        long notBeforeNanos;
        long nextOrdinal;
        int nextSequence;
        /** Set once a batch could not be written: everything later fails too. */
        String failure;

        PartitionQueue(int partition) {
            this.partition = partition;
            this.notBeforeNanos = System.nanoTime();
        }

        boolean idle() {
            return waiting.isEmpty() && inFlight.isEmpty() && toResend.isEmpty();
        }
    }

    /** Runs work on the event thread so that a bug in it ends {@link #finish} instead of hanging it. */
    private Runnable guarded(Runnable work) {
        return () -> {
            try {
                work.run();
            } catch (RuntimeException | Error e) {
                done.completeExceptionally(e);
            }
        };
    }

    private void enqueue(Batch batch) {
        PartitionQueue q = queues[batch.partition];
        if (q.failure != null) {
            fail(batch, q.failure);
            return;
        }
        batch.ordinal = q.nextOrdinal++;
        q.waiting.add(batch);
        pump();
    }

    /** Sends what may be sent now: per round at most one batch per partition, grouped by leader. */
    private void pump() {
        long now = System.nanoTime();
        boolean sent = true;
        while (sent && requestsInFlight < config.maxRequestsInFlight()) {
            sent = false;
            Map<HostPort, List<Batch>> byNode = new LinkedHashMap<>();
            Map<HostPort, Integer> bytesByNode = new LinkedHashMap<>();
            for (PartitionQueue q : queues) {
                if (!sendable(q, now)) {
                    continue;
                }
                HostPort node = client.leaderOrAnyNode(topic, q.partition);
                int bytes = bytesByNode.getOrDefault(node, 0);
                Batch batch = q.waiting.peek();
                if (bytes > 0 && bytes + batch.bytes > config.maxRequestBytes()) {
                    continue;
                }
                q.waiting.poll();
                if (batch.baseSequence < 0) {
                    if (unsent.decrementAndGet(q.partition) == 0) {
                        drained.set(q.partition);
                    }
                    batch.baseSequence = q.nextSequence;
                    q.nextSequence = (int) ((q.nextSequence + (long) batch.records.getRecordsCount()) % (1L << 31));
                }
                batch.attempts++;
                batch.sentBehindEarlierBatch = !q.inFlight.isEmpty();
                q.inFlight.add(batch);
                byNode.computeIfAbsent(node, n -> new ArrayList<>()).add(batch);
                bytesByNode.put(node, bytes + batch.bytes);
            }
            for (Map.Entry<HostPort, List<Batch>> e : byNode.entrySet()) {
                send(e.getKey(), e.getValue());
                sent = true;
            }
        }
        for (int p = drained.nextSetBit(0); p >= 0; p = drained.nextSetBit(p + 1)) {
            drained.clear(p);
            sealIdle(p); // may send, and so come back here: each partition is sealed at most once
        }
        if (finishing && !done.isDone() && Arrays.stream(queues).allMatch(PartitionQueue::idle)) {
            done.complete(new Summary(records, written.get(), failed.get()));
        }
    }

    private boolean sendable(PartitionQueue q, long now) {
        return q.failure == null && !q.waiting.isEmpty() && q.toResend.isEmpty()
                && q.inFlight.size() < config.maxInFlightPerPartition() && now - q.notBeforeNanos >= 0;
    }

    private void send(HostPort node, List<Batch> batches) {
        ProduceRequest.Builder request = ProduceRequest.newBuilder()
                .setProducerId(producerId)
                .setProducerEpoch(producerEpoch)
                .setAcks(config.acks());
        for (Batch b : batches) {
            request.addPartitions(ProducePartition.newBuilder()
                    .setTopic(topic)
                    .setPartition(b.partition)
                    .setBaseSequence(b.baseSequence)
                    .setRecords(b.records));
        }
        requestsInFlight++;
        Futures.addCallback(BrokerGrpc.newFutureStub(client.channel(node)).produce(request.build()),
                new FutureCallback<ProduceResponse>() {
                    @Override
                    public void onSuccess(ProduceResponse response) {
                        guarded(() -> {
                            requestsInFlight--;
                            answered(node, batches, response);
                            pump();
                        }).run();
                    }

                    @Override
                    public void onFailure(Throwable t) {
                        guarded(() -> {
                            requestsInFlight--;
                            refused(node, batches, ClientException.from(t, node));
                            pump();
                        }).run();
                    }
                }, events);
    }

    private void answered(HostPort node, List<Batch> batches, ProduceResponse response) {
        if (response.getResultsCount() != batches.size()) {
            refused(node, batches, ClientException.local(Status.Code.INTERNAL, node + " answered " + batches.size()
                    + " produce entries with " + response.getResultsCount() + " results"));
            return;
        }
        for (int i = 0; i < batches.size(); i++) {
            ProducePartitionResult result = response.getResults(i);
            Batch batch = batches.get(i);
            if (result.hasError()) {
                attemptFailed(node, batch, ClientException.fromDetail(result.getError(), node));
            } else {
                written(batch);
            }
        }
    }

    /**
     * The whole call failed and nothing was written. When the broker's details name partitions,
     * those are at fault and the others are simply sent again; otherwise the failure is every
     * batch's.
     */
    private void refused(HostPort node, List<Batch> batches, ClientException e) {
        boolean named = batches.stream().anyMatch(b -> e.detailFor(topic, b.partition).isPresent());
        for (Batch batch : batches) {
            ClientException own = !named ? e
                    : e.detailFor(topic, batch.partition).map(d -> ClientException.fromDetail(d, node)).orElse(null);
            attemptFailed(node, batch, own);
        }
    }

    private void written(Batch batch) {
        PartitionQueue q = queues[batch.partition];
        q.inFlight.remove(batch);
        written.addAndGet(batch.numbers.length);
        listener.written(batch.numbers, System.nanoTime());
        releaseBuffer(batch.bytes);
        resendIfDrained(q);
    }

    /** Frees a finished batch's buffer space, and has seals that waited for space tried again. */
    private void releaseBuffer(int bytes) {
        buffer.release(bytes);
        if (sealWaitsForBuffer) {
            sealWaitsForBuffer = false;
            // A separate event: callers may be iterating over a partition's batches.
            events.execute(guarded(() -> {
                for (int p = 0; p < open.length; p++) {
                    sealIdle(p);
                }
            }));
        }
    }

    /** @param e why, or null when the batch was not at fault and is only to be sent again */
    private void attemptFailed(HostPort node, Batch batch, ClientException e) {
        PartitionQueue q = queues[batch.partition];
        q.inFlight.remove(batch);
        if (q.failure != null) {
            fail(batch, q.failure);
            resendIfDrained(q);
            return;
        }
        boolean outOfOrder = e != null && e.reason() == ErrorReason.ERROR_REASON_OUT_OF_ORDER_SEQUENCE;
        long delayMs;
        if (e == null || (outOfOrder && batch.sentBehindEarlierBatch)) {
            // Not this batch's fault: a neighbour in its call was refused, or it overtook an
            // earlier batch of its partition on the way. It goes again, the attempt not counted.
            batch.attempts--;
            delayMs = 0;
        } else {
            // Out of order though nothing earlier was outstanding: a real gap, which retrying cannot close.
            delayMs = outOfOrder ? -1 : client.retryDelayMs(topic, q.partition, node, e, batch.attempts);
        }
        if (delayMs < 0) {
            failPartition(q, batch, e.getMessage());
        } else if (batch.attempts >= client.config().maxAttempts()) {
            failPartition(q, batch, "gave up after " + batch.attempts + " attempts: " + e.getMessage());
        } else {
            q.toResend.add(batch);
            q.resendDelayMs = Math.max(q.resendDelayMs, delayMs);
        }
        resendIfDrained(q);
    }

    /** Once a partition's calls have all answered, puts its failed batches back first, in order. */
    private void resendIfDrained(PartitionQueue q) {
        if (!q.inFlight.isEmpty() || q.toResend.isEmpty()) {
            return;
        }
        q.toResend.sort(Comparator.comparingLong((Batch b) -> b.ordinal).reversed());
        q.toResend.forEach(q.waiting::addFirst);
        q.toResend.clear();
        long delayMs = q.resendDelayMs;
        q.resendDelayMs = 0;
        q.notBeforeNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(delayMs);
        if (delayMs > 0) {
            events.schedule(guarded(this::pump), delayMs, TimeUnit.MILLISECONDS);
        }
    }

    private void failPartition(PartitionQueue q, Batch batch, String reason) {
        q.failure = "partition " + q.partition + ": " + reason;
        fail(batch, q.failure);
        q.toResend.forEach(b -> fail(b, q.failure));
        q.toResend.clear();
        q.waiting.forEach(b -> fail(b, q.failure));
        q.waiting.clear();
    }

    private void fail(Batch batch, String reason) {
        if (batch.baseSequence < 0 && unsent.decrementAndGet(batch.partition) == 0) {
            drained.set(batch.partition);
        }
        failed.addAndGet(batch.numbers.length);
        releaseBuffer(batch.bytes);
        for (long number : batch.numbers) {
            listener.failed(number, reason);
        }
    }
}
