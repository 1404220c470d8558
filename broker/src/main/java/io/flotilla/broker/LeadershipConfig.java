package io.flotilla.broker;

/**
 * Partition leadership on a node: how often it reports its replicas to the controller, and its
 * leader balancer, which hands the leadership of partitions it leads to their preferred leaders.
 *
 * @param reportIntervalMs    how often the node reports its replicas' status to the controller's
 *                            leader (1,000; one more report goes at once when a replica's
 *                            leadership changes)
 * @param balancerEnabled     whether the node hands leadership to preferred leaders that are
 *                            alive and caught up (true); TransferLeadership works either way
 * @param balanceIntervalMs   how often the balancer looks over the partitions the node leads
 *                            (2,000; also right after a metadata change)
 * @param maxTransfersPerPass at most this many hand-overs started per look (10): each pauses its
 *                            partition's produce for the moment the target takes to be elected,
 *                            so a node that comes back gets its leaderships back gradually
 */
public record LeadershipConfig(long reportIntervalMs, boolean balancerEnabled, long balanceIntervalMs,
                               int maxTransfersPerPass) {

    public static final LeadershipConfig DEFAULTS = new LeadershipConfig(1_000, true, 2_000, 10);

    public LeadershipConfig {
        if (reportIntervalMs < 10 || balanceIntervalMs < 10) {
            throw new IllegalArgumentException("the report and balance intervals must be at least 10 ms, got "
                    + reportIntervalMs + " and " + balanceIntervalMs);
        }
        if (maxTransfersPerPass < 1) {
            throw new IllegalArgumentException("max transfers per pass must be at least 1, got " + maxTransfersPerPass);
        }
    }

    public LeadershipConfig withBalancerEnabled(boolean value) {
        return new LeadershipConfig(reportIntervalMs, value, balanceIntervalMs, maxTransfersPerPass);
    }
}
