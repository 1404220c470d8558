package io.flotilla.cli.client;

/**
 * How a {@link Consumer} fetches.
 *
 * @param fetchMaxWaitMs how long the leader holds a fetch that finds no new records (a long
 *     poll) before answering empty; the call's deadline is this plus the request timeout.
 *     Default 5,000; the broker caps it at 60,000.
 * @param fetchMaxBytes stored batch bytes per answer beyond the first batch; 0 for the broker's
 *     default (1 MiB), which fits grpc-java's 4 MiB receive limit (broker.proto, FetchRequest).
 */
public record ConsumerConfig(int fetchMaxWaitMs, int fetchMaxBytes) {

    public static final ConsumerConfig DEFAULTS = new ConsumerConfig(5_000, 0);

    public ConsumerConfig {
        if (fetchMaxWaitMs < 0 || fetchMaxWaitMs > 60_000 || fetchMaxBytes < 0 || fetchMaxBytes > 1024 * 1024) {
            throw new IllegalArgumentException("fetch wait must be 0..60000 ms and max bytes 0..1 MiB, not "
                    + fetchMaxWaitMs + " ms and " + fetchMaxBytes + " bytes");
        }
    }
}
