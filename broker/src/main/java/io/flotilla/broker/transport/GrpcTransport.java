package io.flotilla.broker.transport;

import com.google.protobuf.CodedOutputStream;
import io.flotilla.api.internal.v1.RaftBatch;
import io.flotilla.api.internal.v1.RaftPeerMessage;
import io.flotilla.api.v1.NodeIdentity;
import io.flotilla.raft.MemberId;
import io.flotilla.raft.RaftMessage;
import io.flotilla.raft.driver.Transport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Objects;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntFunction;

/**
 * The driver's {@link Transport} over gRPC: one long-lived SendBatches stream per peer node,
 * carrying the batches of every group (raft_transport.proto).
 *
 * <p>Threads. {@link #send} runs on the driver's loop threads: it encodes the batch (payloads are
 * wrapped, not copied), adds it to the peer's queue, bounded in bytes, and returns; it never
 * blocks or throws, and drops the batch (counted) when the queue is full or the peer
 * unreachable. Everything else runs on one thread per transport, {@code
 * flotilla-raft-transport-<node>}, which is also the gRPC channels' executor: it drains each
 * peer's queue while gRPC flow control lets it (coalescing queued batches into frames of up to
 * {@link TransportConfig#maxFrameBytes}), serializes the frames, and opens, watches and reopens
 * streams. Peers are created on their first batch or {@link #identify}.
 *
 * <p>Failures. A stream that fails (the peer is down, unreachable, silent past the keepalive
 * timeout, or refuses it) drops what is queued for that peer, and is reopened after a capped
 * exponential backoff; the peer's address is resolved again for every stream, so a peer that
 * moved is found where it went. Until then the peer's batches are dropped: Raft retransmits.
 */
public final class GrpcTransport implements Transport, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(GrpcTransport.class);
    private static final long CLOSE_TIMEOUT_SECONDS = 5;

    private final MemberId self;
    private final TransportConfig config;
    private final IntFunction<String> addresses;
    private final NodeIdentity sender;
    private final ScheduledThreadPoolExecutor executor;
    /** The executor's threads, joined on close: a terminated pool's last thread may still be exiting. */
    private final Queue<Thread> threads = new ConcurrentLinkedQueue<>();
    private final ConcurrentHashMap<Integer, PeerLink> peers = new ConcurrentHashMap<>();
    final Counters counters = new Counters();
    private volatile boolean closed;

    /** Counters the peers update. */
    static final class Counters {
        final LongAdder batchesSent = new LongAdder();
        final LongAdder framesSent = new LongAdder();
        final LongAdder bytesSent = new LongAdder();
        final LongAdder batchesDropped = new LongAdder();
        final LongAdder reconnects = new LongAdder();
    }

    /**
     * @param self      this node: every frame names it as the sender
     * @param addresses a peer's "host:port" by node id, or null while unknown; asked again for
     *                  every stream opened, from the transport's thread
     */
    public GrpcTransport(MemberId self, TransportConfig config, IntFunction<String> addresses) {
        this.self = Objects.requireNonNull(self, "self");
        this.config = Objects.requireNonNull(config, "config");
        this.addresses = Objects.requireNonNull(addresses, "addresses");
        this.sender = RaftMessageCodec.identity(self);
        this.executor = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "flotilla-raft-transport-" + self.nodeId());
            t.setDaemon(true);
            threads.add(t);
            return t;
        });
        executor.setRemoveOnCancelPolicy(true);
    }

    @Override
    public void send(int toNode, List<RaftMessage> batch) {
        try {
            if (closed) {
                counters.batchesDropped.increment();
                return;
            }
            PeerLink peer = peer(toNode);
            if (peer.isUnreachable()) { // not worth encoding
                counters.batchesDropped.increment();
                return;
            }
            // A turn's messages beyond a frame's size travel as several batches, so that only a
            // single oversized message ever makes a frame larger than the cap.
            RaftBatch.Builder piece = RaftBatch.newBuilder();
            int pieceBytes = 0;
            for (int i = 0; i < batch.size(); i++) {
                RaftPeerMessage m = RaftMessageCodec.encode(batch.get(i));
                int bytes = CodedOutputStream.computeMessageSize(RaftBatch.MESSAGES_FIELD_NUMBER, m);
                if (pieceBytes > 0 && pieceBytes + bytes > config.maxFrameBytes()) {
                    peer.offer(piece.build());
                    piece = RaftBatch.newBuilder();
                    pieceBytes = 0;
                }
                piece.addMessages(m);
                pieceBytes += bytes;
            }
            peer.offer(piece.build());
        } catch (RuntimeException e) {
            counters.batchesDropped.increment();
            log.warn("dropped a batch of {} messages for node {}", batch.size(), toNode, e);
        }
    }

    /**
     * Asks node {@code nodeId} who it is (at first start, to learn a peer's incarnation). Fails
     * with {@link IllegalStateException} if its address is unknown or another node answers
     * there, and with gRPC's {@code StatusRuntimeException} if it cannot be reached in
     * {@link TransportConfig#identifyTimeout}.
     */
    public CompletableFuture<PeerIdentity> identify(int nodeId) {
        CompletableFuture<PeerIdentity> answer = new CompletableFuture<>();
        try {
            executor.execute(() -> peer(nodeId).identify(answer));
        } catch (RejectedExecutionException e) {
            answer.completeExceptionally(new IllegalStateException("node " + self.nodeId() + "'s transport is closed"));
        }
        return answer;
    }

    public TransportStats stats() {
        long queued = 0;
        for (PeerLink peer : peers.values()) {
            queued += peer.queuedBytes();
        }
        return new TransportStats(counters.batchesSent.sum(), counters.framesSent.sum(), counters.bytesSent.sum(),
                counters.batchesDropped.sum(), counters.reconnects.sum(), queued);
    }

    /**
     * Cancels every stream, shuts the channels down and stops the transport's thread; waits for
     * them (a few seconds at most). Later batches are dropped.
     */
    @Override
    public void close() throws InterruptedException {
        closed = true;
        try {
            executor.submit(() -> peers.values().forEach(PeerLink::close)).get(CLOSE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            for (PeerLink peer : peers.values()) {
                peer.awaitClosed(CLOSE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            }
        } catch (RejectedExecutionException e) {
            // closed before
        } catch (ExecutionException | TimeoutException e) {
            log.warn("node {}'s transport did not close its streams cleanly", self.nodeId(), e);
        } finally {
            executor.shutdownNow();
            executor.awaitTermination(CLOSE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            for (Thread t : threads) {
                t.join(TimeUnit.SECONDS.toMillis(CLOSE_TIMEOUT_SECONDS));
            }
        }
    }

    boolean isClosed() {
        return closed;
    }

    private PeerLink peer(int nodeId) {
        PeerLink peer = peers.get(nodeId);
        return peer != null ? peer : peers.computeIfAbsent(nodeId, id -> {
            PeerLink created = new PeerLink(id, this, config, executor, addresses, sender);
            executor.execute(created::connect);
            return created;
        });
    }
}
