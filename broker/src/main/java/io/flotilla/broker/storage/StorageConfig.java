package io.flotilla.broker.storage;

/**
 * The node-wide settings of Raft group storage, with defaults. Per-partition limits (segment
 * size, retention) are each log's {@link io.flotilla.log.LogConfig}.
 *
 * @param flushThreads threads that fsync logs for group commit: fsyncs of different logs run
 *                     in parallel up to this many (2)
 * @param diskThreads  threads that run the group writes that must wait for the disk
 *                     (truncations, snapshot installs, compactions, membership changes), so that
 *                     event loops never do; a group's writes always go to the same one, in
 *                     order (2)
 */
public record StorageConfig(int flushThreads, int diskThreads) {
    public static final StorageConfig DEFAULTS = new StorageConfig(2, 2);

    public StorageConfig {
        if (flushThreads < 1 || diskThreads < 1) {
            throw new IllegalArgumentException("flushThreads and diskThreads must be at least 1, got " + flushThreads
                    + " and " + diskThreads);
        }
    }
}
