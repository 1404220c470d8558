package io.flotilla.raft.driver;

import io.flotilla.raft.RaftConfig;

/**
 * Every setting of a {@link RaftDriver}, with defaults.
 *
 * @param loops         event-loop threads; groups are sharded over them by id (min(2, cores):
 *                      a few loops serve thousands of groups, and more threads than cores only
 *                      adds switching)
 * @param tickNanos     one Raft tick (50 ms); RaftConfig's timeouts are counted in ticks, so the
 *                      election timeout is 500 ms to 1 s and the heartbeat interval 50 ms
 * @param raft          every group's limits ({@link RaftConfig#DEFAULTS})
 * @param quiescence    groups with nothing to replicate go quiet and cost no ticks (true)
 * @param queueCapacity per loop, inbound batches and commands each, before back-pressure (4096)
 * @param maxInboundBytes per loop, bytes of the inbound batches queued and not yet stepped
 *                      (their entries and snapshot chunks, plus 64 per message), before
 *                      further batches are refused (32 MiB). The
 *                      count bound alone lets a loop that falls behind hold thousands of batches
 *                      of up to a frame each; a refused batch is a lost message, which Raft
 *                      retransmits. A batch that finds the queue empty is taken whatever its
 *                      size, so one larger than the bound still gets through
 * @param seed          seeds each group's election-timeout randomness, mixed with node and
 *                      group id so the members of a group draw differently (0)
 */
public record DriverConfig(int loops, long tickNanos, RaftConfig raft, boolean quiescence, int queueCapacity,
                           long maxInboundBytes, long seed) {

    public static final DriverConfig DEFAULTS = new DriverConfig(Math.min(2, Runtime.getRuntime().availableProcessors()),
            50_000_000L, RaftConfig.DEFAULTS, true, 4096, 32L << 20, 0);

    public DriverConfig {
        if (loops < 1 || loops > 64) {
            throw new IllegalArgumentException("loops must be 1 to 64, got " + loops);
        }
        if (tickNanos < 1) {
            throw new IllegalArgumentException("tickNanos must be positive, got " + tickNanos);
        }
        if (queueCapacity < 2) {
            throw new IllegalArgumentException("queueCapacity must be at least 2, got " + queueCapacity);
        }
        if (maxInboundBytes < 1) {
            throw new IllegalArgumentException("maxInboundBytes must be positive, got " + maxInboundBytes);
        }
    }

    public DriverConfig withLoops(int value) {
        return new DriverConfig(value, tickNanos, raft, quiescence, queueCapacity, maxInboundBytes, seed);
    }

    public DriverConfig withQuiescence(boolean value) {
        return new DriverConfig(loops, tickNanos, raft, value, queueCapacity, maxInboundBytes, seed);
    }

    public DriverConfig withMaxInboundBytes(long value) {
        return new DriverConfig(loops, tickNanos, raft, quiescence, queueCapacity, value, seed);
    }

    /** An election timeout in nanoseconds: a peer node silent this long is taken for down. */
    long electionTimeoutNanos() {
        return raft.electionTimeoutTicks() * tickNanos;
    }

    /** A heartbeat interval in nanoseconds: how often each peer node must hear from this one. */
    long heartbeatNanos() {
        return raft.heartbeatTicks() * tickNanos;
    }
}
