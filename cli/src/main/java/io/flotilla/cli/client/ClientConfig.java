package io.flotilla.cli.client;

import java.util.List;

/**
 * How a {@link FlotillaClient} connects and retries.
 *
 * @param bootstrap nodes to ask first; metadata names the rest
 * @param requestTimeoutMs the deadline of every call that does not set a longer one (a long
 *     poll adds its wait to it). Default 10,000.
 * @param maxAttempts attempts per call or batch before giving up, redirects included. Default
 *     10: with the default backoff about 7 s of retrying, which outlasts a leader election.
 * @param retryBackoffMs the pause before the first retry; it doubles per further attempt.
 *     Default 50. A server's retry_after_ms is honoured when longer.
 * @param retryBackoffMaxMs the longest pause between attempts. Default 2,000.
 */
public record ClientConfig(List<HostPort> bootstrap, long requestTimeoutMs, int maxAttempts, long retryBackoffMs,
        long retryBackoffMaxMs) {

    public static final long DEFAULT_REQUEST_TIMEOUT_MS = 10_000;
    public static final int DEFAULT_MAX_ATTEMPTS = 10;
    public static final long DEFAULT_RETRY_BACKOFF_MS = 50;
    public static final long DEFAULT_RETRY_BACKOFF_MAX_MS = 2_000;

    public ClientConfig {
        bootstrap = List.copyOf(bootstrap);
        if (bootstrap.isEmpty()) {
            throw new IllegalArgumentException("no bootstrap address");
        }
        if (requestTimeoutMs <= 0 || maxAttempts < 1 || retryBackoffMs < 0 || retryBackoffMaxMs < retryBackoffMs) {
            throw new IllegalArgumentException("bad client settings: timeout " + requestTimeoutMs + " ms, "
                    + maxAttempts + " attempts, backoff " + retryBackoffMs + ".." + retryBackoffMaxMs + " ms");
        }
    }

    /** The defaults, starting from {@code bootstrap}. */
    public static ClientConfig defaults(List<HostPort> bootstrap) {
        return new ClientConfig(bootstrap, DEFAULT_REQUEST_TIMEOUT_MS, DEFAULT_MAX_ATTEMPTS, DEFAULT_RETRY_BACKOFF_MS,
                DEFAULT_RETRY_BACKOFF_MAX_MS);
    }

    public ClientConfig withRequestTimeoutMs(long ms) {
        return new ClientConfig(bootstrap, ms, maxAttempts, retryBackoffMs, retryBackoffMaxMs);
    }

    /**
     * The pause before attempt {@code attempt + 1} after {@code attempt} failed ones (1-based),
     * at least {@code retryAfterMs} when the server suggested one.
     */
    public long backoffMs(int attempt, int retryAfterMs) {
        long exponential = retryBackoffMs << Math.min(Math.max(attempt - 1, 0), 20);
        return Math.max(Math.min(exponential, retryBackoffMaxMs), retryAfterMs);
    }
}
