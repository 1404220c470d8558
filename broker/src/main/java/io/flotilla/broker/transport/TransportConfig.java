package io.flotilla.broker.transport;

import java.time.Duration;
import java.util.Objects;

/**
 * Every setting of a {@link GrpcTransport}, with defaults.
 *
 * @param maxQueuedBytesPerPeer encoded bytes queued for one peer before batches are dropped
 *                              (32 MiB: four times a group's default in-flight window; a batch
 *                              that finds the queue empty is taken whatever its size)
 * @param maxFrameBytes         a frame (one gRPC message) coalesces queued batches up to this
 *                              many bytes (1 MiB); a driver batch larger than this is split into
 *                              several, and a single larger Raft message travels alone. The
 *                              receiving server's max inbound message size must exceed the
 *                              largest single Raft message ({@link RaftTransportService})
 * @param backoffInitial        the wait before reopening a failed stream (100 ms); doubles per
 *                              failure, less up to 20 % of jitter
 * @param backoffMax            the longest such wait (2 s); a stream that stayed up this long
 *                              resets the backoff
 * @param connectTimeout        a TCP connection attempt to a peer fails after this (3 s)
 * @param keepAliveTime         an HTTP/2 ping is sent after this long without traffic from the
 *                              peer (10 s, gRPC's minimum); the peer's server must permit it
 *                              ({@link RaftTransportService#permitPeerKeepAlive})
 * @param keepAliveTimeout      a ping unanswered for this long marks the connection dead, failing
 *                              the stream (5 s): so a silently partitioned peer is noticed within
 *                              about 15 s, and reconnected to
 * @param identifyTimeout       the deadline of an Identify call (5 s)
 */
public record TransportConfig(long maxQueuedBytesPerPeer, int maxFrameBytes, Duration backoffInitial,
                              Duration backoffMax, Duration connectTimeout, Duration keepAliveTime,
                              Duration keepAliveTimeout, Duration identifyTimeout) {

    public static final TransportConfig DEFAULTS = new TransportConfig(32L << 20, 1 << 20, Duration.ofMillis(100),
            Duration.ofSeconds(2), Duration.ofSeconds(3), Duration.ofSeconds(10), Duration.ofSeconds(5),
            Duration.ofSeconds(5));

    public TransportConfig {
        if (maxQueuedBytesPerPeer < 1) {
            throw new IllegalArgumentException("maxQueuedBytesPerPeer must be positive, got " + maxQueuedBytesPerPeer);
        }
        if (maxFrameBytes < 1024) {
            throw new IllegalArgumentException("maxFrameBytes must be at least 1024, got " + maxFrameBytes);
        }
        requirePositive(backoffInitial, "backoffInitial");
        requirePositive(backoffMax, "backoffMax");
        if (backoffMax.compareTo(backoffInitial) < 0) {
            throw new IllegalArgumentException("backoffMax " + backoffMax + " is below backoffInitial " + backoffInitial);
        }
        requirePositive(connectTimeout, "connectTimeout");
        requirePositive(keepAliveTime, "keepAliveTime");
        requirePositive(keepAliveTimeout, "keepAliveTimeout");
        requirePositive(identifyTimeout, "identifyTimeout");
    }

    private static void requirePositive(Duration d, String name) {
        Objects.requireNonNull(d, name);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, got " + d);
        }
    }

    public TransportConfig withMaxQueuedBytesPerPeer(long value) {
        return new TransportConfig(value, maxFrameBytes, backoffInitial, backoffMax, connectTimeout, keepAliveTime,
                keepAliveTimeout, identifyTimeout);
    }

    public TransportConfig withBackoff(Duration initial, Duration max) {
        return new TransportConfig(maxQueuedBytesPerPeer, maxFrameBytes, initial, max, connectTimeout, keepAliveTime,
                keepAliveTimeout, identifyTimeout);
    }
}
