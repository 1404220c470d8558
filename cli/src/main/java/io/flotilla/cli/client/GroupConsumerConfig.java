package io.flotilla.cli.client;

import java.util.Objects;

/**
 * How a {@link GroupConsumer} takes part in its group.
 *
 * @param resetTo where a newly assigned partition starts when the group has no committed offset
 *     for it. Default {@link Consumer.StartAt#LATEST} (as a plain consume, and Kafka's default).
 * @param sessionTimeoutMs the coordinator evicts the member after this long without a heartbeat;
 *     it heartbeats five times as often. 0 (default) for the coordinator's default, 10,000; else
 *     1,000 .. 300,000.
 * @param rebalanceTimeoutMs the coordinator evicts the member when it still holds a revoked
 *     partition this long after it was told to release it; the application must poll or commit
 *     within it. 0 (default) for the coordinator's default, 30,000; else 1,000 .. 600,000.
 * @param clientId names the client in DescribeGroup, at most 255 bytes. Default "flotilla-client".
 * @param fetch how the assigned partitions are fetched. Default {@link ConsumerConfig#DEFAULTS}.
 */
public record GroupConsumerConfig(Consumer.StartAt resetTo, int sessionTimeoutMs, int rebalanceTimeoutMs,
        String clientId, ConsumerConfig fetch) {

    /** The coordinator's session timeout when a member asks for none (consumer_groups.proto). */
    static final int DEFAULT_SESSION_TIMEOUT_MS = 10_000;

    public static final GroupConsumerConfig DEFAULTS = new GroupConsumerConfig(Consumer.StartAt.LATEST, 0, 0,
            "flotilla-client", ConsumerConfig.DEFAULTS);

    public GroupConsumerConfig {
        Objects.requireNonNull(resetTo, "resetTo");
        Objects.requireNonNull(clientId, "clientId");
        Objects.requireNonNull(fetch, "fetch");
        if (sessionTimeoutMs != 0 && (sessionTimeoutMs < 1_000 || sessionTimeoutMs > 300_000)) {
            throw new IllegalArgumentException("the session timeout must be 0 (the default) or 1000..300000 ms, not "
                    + sessionTimeoutMs);
        }
        if (rebalanceTimeoutMs != 0 && (rebalanceTimeoutMs < 1_000 || rebalanceTimeoutMs > 600_000)) {
            throw new IllegalArgumentException("the rebalance timeout must be 0 (the default) or 1000..600000 ms, not "
                    + rebalanceTimeoutMs);
        }
    }

    public GroupConsumerConfig withResetTo(Consumer.StartAt where) {
        return new GroupConsumerConfig(where, sessionTimeoutMs, rebalanceTimeoutMs, clientId, fetch);
    }

    public GroupConsumerConfig withSessionTimeoutMs(int ms) {
        return new GroupConsumerConfig(resetTo, ms, rebalanceTimeoutMs, clientId, fetch);
    }

    /** The session timeout the coordinator applies. */
    int effectiveSessionTimeoutMs() {
        return sessionTimeoutMs == 0 ? DEFAULT_SESSION_TIMEOUT_MS : sessionTimeoutMs;
    }
}
