package io.flotilla.broker.coordinator;

/**
 * The consumer-group coordinator's settings, with defaults.
 *
 * @param partitions        partitions of the internal topic {@value CoordinatorTopic#NAME}, fixed
 *                          when the controller's leader creates it (8: groups spread over that many
 *                          coordinators; an idle coordinator partition is a quiet Raft group and
 *                          costs no CPU)
 * @param replicationFactor replicas of each, at most the node count when it is created (3)
 * @param checkIntervalMs   how often a coordinator leader looks for overdue members and for topic
 *                          changes to tell its groups of (200); a member silent for its session
 *                          timeout is evicted within this much more
 * @param snapshotOffsets   a coordinator partition snapshots its state and drops the log before it
 *                          once its log grew this many offsets since the last snapshot (10,000): a
 *                          restart replays at most about that many entries
 */
public record CoordinatorConfig(int partitions, int replicationFactor, long checkIntervalMs, long snapshotOffsets) {

    public static final CoordinatorConfig DEFAULTS = new CoordinatorConfig(8, 3, 200, 10_000);

    public CoordinatorConfig {
        if (partitions < 1 || partitions > 4096) {
            throw new IllegalArgumentException("coordinator partitions must be 1 to 4096, got " + partitions);
        }
        if (replicationFactor < 1 || replicationFactor > 7) {
            throw new IllegalArgumentException("coordinator replication factor must be 1 to 7, got " + replicationFactor);
        }
        if (checkIntervalMs < 10 || snapshotOffsets < 1) {
            throw new IllegalArgumentException("the check interval must be at least 10 ms and snapshots at least 1"
                    + " offset apart; got " + checkIntervalMs + " ms, " + snapshotOffsets);
        }
    }

    public CoordinatorConfig withSnapshotOffsets(long value) {
        return new CoordinatorConfig(partitions, replicationFactor, checkIntervalMs, value);
    }
}
