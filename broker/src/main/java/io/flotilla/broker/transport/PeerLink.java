package io.flotilla.broker.transport;

import com.google.protobuf.CodedOutputStream;
import io.flotilla.api.internal.v1.IdentifyRequest;
import io.flotilla.api.internal.v1.IdentifyResponse;
import io.flotilla.api.internal.v1.RaftBatch;
import io.flotilla.api.internal.v1.RaftTransportGrpc;
import io.flotilla.api.internal.v1.SendBatchesRequest;
import io.flotilla.api.internal.v1.SendBatchesResponse;
import io.flotilla.api.v1.NodeIdentity;
import io.flotilla.raft.MemberId;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.ChannelOption;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.StreamObserver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;

/**
 * The way to one peer node: its queue of encoded batches, bounded in bytes, and the channel and
 * stream that drain it. {@link #offer} and {@link #queuedBytes} are for any thread; everything
 * else runs on the transport's thread, which is also the channel's executor, so the stream's
 * state needs no locks.
 */
final class PeerLink {
    private static final Logger log = LoggerFactory.getLogger(PeerLink.class);

    private final int nodeId;
    private final GrpcTransport transport;
    private final TransportConfig config;
    private final ScheduledExecutorService executor;
    private final IntFunction<String> addresses;
    private final NodeIdentity sender;
    private final GrpcTransport.Counters counters;

    private final ConcurrentLinkedQueue<RaftBatch> queue = new ConcurrentLinkedQueue<>();
    private final AtomicLong queuedBytes = new AtomicLong();
    /** Drain requests not yet served; a drain task is scheduled when this leaves 0. */
    private final AtomicInteger drainRequests = new AtomicInteger();
    /**
     * Whether a batch was dropped because the queue was full while the stream was up, not yet
     * followed by a frame written: logged once per episode, since a stream that stops taking
     * frames without failing silences this node towards the peer.
     */
    private final AtomicBoolean fullReported = new AtomicBoolean();
    /** Backing off after a failure, or no address known: {@link #offer} drops at once. */
    private volatile boolean unreachable;

    // Transport thread only.
    private ManagedChannel channel;
    private String channelAddress;
    private OutboundStream stream;
    private long upSinceNanos;
    private int failures;
    private boolean opened;

    PeerLink(int nodeId, GrpcTransport transport, TransportConfig config, ScheduledExecutorService executor,
             IntFunction<String> addresses, NodeIdentity sender) {
        this.nodeId = nodeId;
        this.transport = transport;
        this.config = config;
        this.executor = executor;
        this.addresses = addresses;
        this.sender = sender;
        this.counters = transport.counters;
    }

    /** Queues {@code batch} unless the peer is unreachable or its queue full; any thread. */
    void offer(RaftBatch batch) {
        int bytes = framedSize(batch);
        long queued;
        do {
            queued = queuedBytes.get();
            // An empty queue takes any batch, so one larger than the bound still goes out.
            if (unreachable || (queued > 0 && queued + bytes > config.maxQueuedBytesPerPeer())) {
                counters.batchesDropped.increment();
                if (!unreachable && fullReported.compareAndSet(false, true)) {
                    log.warn("the queue to node {} is full ({} bytes): batches to it are dropped until its stream "
                            + "takes frames again", nodeId, queued);
                }
                return;
            }
        } while (!queuedBytes.compareAndSet(queued, queued + bytes));
        queue.add(batch);
        requestDrain();
    }

    boolean isUnreachable() {
        return unreachable;
    }

    long queuedBytes() {
        return queuedBytes.get();
    }

    /** A batch's size inside a frame: tag, length and body. */
    private static int framedSize(RaftBatch batch) {
        return CodedOutputStream.computeMessageSize(SendBatchesRequest.BATCHES_FIELD_NUMBER, batch);
    }

    private void requestDrain() {
        if (drainRequests.getAndIncrement() == 0) {
            try {
                executor.execute(this::drain);
            } catch (RejectedExecutionException e) {
                // the transport is closed; what is queued stays unsent
            }
        }
    }

    private void drain() {
        int served = drainRequests.get();
        while (true) {
            writeWhileReady();
            served = drainRequests.addAndGet(-served);
            if (served == 0) {
                return;
            }
        }
    }

    private void writeWhileReady() {
        OutboundStream s = stream;
        while (s != null && s.requests.isReady() && !queue.isEmpty()) {
            SendBatchesRequest.Builder frame = SendBatchesRequest.newBuilder().setSender(sender).setToNodeId(nodeId);
            int frameBytes = 0;
            RaftBatch next;
            while ((next = queue.peek()) != null) {
                int bytes = framedSize(next);
                if (frameBytes > 0 && frameBytes + bytes > config.maxFrameBytes()) {
                    break;
                }
                queue.poll();
                queuedBytes.addAndGet(-bytes);
                frame.addBatches(next);
                frameBytes += bytes;
            }
            int batches = frame.getBatchesCount();
            s.requests.onNext(frame.build()); // serializes the frame into gRPC's buffers, here
            counters.batchesSent.add(batches);
            counters.framesSent.increment();
            counters.bytesSent.add(frameBytes);
            if (fullReported.compareAndSet(true, false)) {
                log.info("the stream to node {} takes frames again", nodeId);
            }
        }
    }

    /** Opens a stream to the peer's current address, or schedules another try if it has none. */
    void connect() {
        if (transport.isClosed()) {
            return;
        }
        ManagedChannel ch = channel();
        if (ch == null) {
            log.debug("no address known for node {}; trying again later", nodeId);
            unreachable = true;
            dropQueued();
            retryLater();
            return;
        }
        if (opened) {
            counters.reconnects.increment();
            ch.resetConnectBackoff(); // our backoff decides when to try, not the channel's
        }
        opened = true;
        unreachable = false;
        stream = new OutboundStream();
        RaftTransportGrpc.newStub(ch).sendBatches(stream);
    }

    /** The channel to the peer's address as resolved now, rebuilt if the address changed; null if unknown. */
    private ManagedChannel channel() {
        String address = addresses.apply(nodeId);
        if (address == null) {
            return null;
        }
        if (channel != null && address.equals(channelAddress)) {
            return channel;
        }
        if (channel != null) {
            log.info("node {} moved from {} to {}", nodeId, channelAddress, address);
            channel.shutdownNow();
        }
        channel = NettyChannelBuilder.forTarget(address)
                .usePlaintext()
                .executor(executor)
                .disableRetry() // gRPC would buffer a stream's messages for replay; Raft retransmits instead
                .keepAliveTime(config.keepAliveTime().toNanos(), TimeUnit.NANOSECONDS)
                .keepAliveTimeout(config.keepAliveTimeout().toNanos(), TimeUnit.NANOSECONDS)
                .keepAliveWithoutCalls(true)
                .withOption(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE,
                        config.connectTimeout().toMillis()))
                .build();
        channelAddress = address;
        return channel;
    }

    private void streamReady(OutboundStream s) {
        if (s != stream) {
            return;
        }
        if (upSinceNanos == 0) {
            upSinceNanos = System.nanoTime();
            if (failures > 0) {
                log.info("stream to node {} at {} is up again", nodeId, channelAddress);
            }
        }
        requestDrain();
    }

    private void streamEnded(OutboundStream s, Status status) {
        if (s != stream) {
            return;
        }
        stream = null;
        unreachable = true;
        dropQueued();
        boolean wasUp = upSinceNanos != 0;
        if (wasUp && System.nanoTime() - upSinceNanos >= config.backoffMax().toNanos()) {
            failures = 0;
        }
        upSinceNanos = 0;
        if (transport.isClosed()) {
            return;
        }
        if (wasUp) {
            log.warn("stream to node {} at {} failed: {}; reconnecting", nodeId, channelAddress, status);
        } else {
            log.debug("cannot open a stream to node {} at {}: {}", nodeId, channelAddress, status);
        }
        retryLater();
    }

    private void retryLater() {
        long cap = config.backoffMax().toNanos();
        long delay = Math.min(cap, config.backoffInitial().toNanos() << Math.min(failures, 30));
        delay -= (long) (delay * 0.2 * ThreadLocalRandom.current().nextDouble()); // peers must not retry in step
        failures++;
        try {
            executor.schedule(this::connect, delay, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            // the transport is closed
        }
    }

    private void dropQueued() {
        RaftBatch batch;
        while ((batch = queue.poll()) != null) {
            queuedBytes.addAndGet(-framedSize(batch));
            counters.batchesDropped.increment();
        }
    }

    void identify(CompletableFuture<PeerIdentity> answer) {
        ManagedChannel ch = channel();
        if (ch == null) {
            answer.completeExceptionally(new IllegalStateException("no address is known for node " + nodeId));
            return;
        }
        String address = channelAddress;
        RaftTransportGrpc.newStub(ch)
                .withDeadlineAfter(config.identifyTimeout().toNanos(), TimeUnit.NANOSECONDS)
                .identify(IdentifyRequest.getDefaultInstance(), new StreamObserver<>() {
                    @Override
                    public void onNext(IdentifyResponse r) {
                        if (r.getNode().getNodeId() != nodeId) {
                            answer.completeExceptionally(new IllegalStateException("the node at " + address
                                    + " is node " + r.getNode().getNodeId() + ", not node " + nodeId));
                        } else {
                            answer.complete(new PeerIdentity(new MemberId(nodeId, r.getNode().getIncarnation()),
                                    r.getClusterId()));
                        }
                    }

                    @Override
                    public void onError(Throwable t) {
                        answer.completeExceptionally(t);
                    }

                    @Override
                    public void onCompleted() {
                    }
                });
    }

    /** Cancels the stream and shuts the channel down; on the transport thread. */
    void close() {
        if (stream != null) {
            stream.requests.cancel("node " + sender.getNodeId() + "'s transport is closing", null);
            stream = null;
        }
        dropQueued();
        if (channel != null) {
            channel.shutdownNow();
        }
    }

    /** Waits for the channel, if any, to terminate after {@link #close}; any thread. */
    void awaitClosed(long timeout, TimeUnit unit) throws InterruptedException {
        ManagedChannel ch = channel;
        if (ch != null && !ch.awaitTermination(timeout, unit)) {
            log.warn("the channel to node {} did not terminate within {} {}", nodeId, timeout, unit);
        }
    }

    /** One SendBatches call; its callbacks run on the transport thread. */
    private final class OutboundStream implements ClientResponseObserver<SendBatchesRequest, SendBatchesResponse> {
        ClientCallStreamObserver<SendBatchesRequest> requests;

        @Override
        public void beforeStart(ClientCallStreamObserver<SendBatchesRequest> requests) {
            this.requests = requests;
            requests.setOnReadyHandler(() -> streamReady(this));
        }

        @Override
        public void onNext(SendBatchesResponse response) {
        }

        @Override
        public void onError(Throwable t) {
            streamEnded(this, Status.fromThrowable(t));
        }

        @Override
        public void onCompleted() {
            streamEnded(this, Status.UNAVAILABLE.withDescription("the peer ended the stream"));
        }
    }
}
