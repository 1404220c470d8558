package io.flotilla.raft;

/**
 * Every limit of a Raft group, in ticks and bytes, with defaults. Time exists only as ticks
 * the driver delivers (by default one per 50 ms, so the election timeout is 500 ms to 1 s).
 *
 * @param electionTimeoutTicks  a follower that hears no leader for this long (plus a random
 *                              0..this extra, per election) campaigns; also the check-quorum period
 *                              and the window in which a live leader makes members refuse votes (10)
 * @param heartbeatTicks        a leader sends heartbeats this often (1)
 * @param maxInflightAppends    unacknowledged append requests per follower before the leader
 *                              waits (64)
 * @param maxInflightBytes      unacknowledged entry bytes per follower before the leader waits (8 MiB)
 * @param maxAppendBytes        entry bytes per append request; one entry is always sent (1 MiB)
 * @param maxCommittedBytesPerReady committed entry bytes handed to the application per {@link Ready} (8 MiB)
 * @param preVote               campaign with a pre-vote round first (true)
 * @param checkQuorum           a leader that did not hear from a majority within an election
 *                              timeout steps down (true)
 */
public record RaftConfig(int electionTimeoutTicks, int heartbeatTicks, int maxInflightAppends, long maxInflightBytes,
                         long maxAppendBytes, long maxCommittedBytesPerReady, boolean preVote, boolean checkQuorum) {

    public static final RaftConfig DEFAULTS = new RaftConfig(10, 1, 64, 8L << 20, 1L << 20, 8L << 20, true, true);

    public RaftConfig {
        if (heartbeatTicks < 1 || electionTimeoutTicks <= heartbeatTicks) {
            throw new IllegalArgumentException("need 1 <= heartbeatTicks < electionTimeoutTicks, got " + heartbeatTicks
                    + " and " + electionTimeoutTicks);
        }
        if (maxInflightAppends < 1 || maxInflightBytes < 1 || maxAppendBytes < 1 || maxCommittedBytesPerReady < 1) {
            throw new IllegalArgumentException("flow-control limits must be positive");
        }
    }

    public RaftConfig withPreVote(boolean value) {
        return new RaftConfig(electionTimeoutTicks, heartbeatTicks, maxInflightAppends, maxInflightBytes,
                maxAppendBytes, maxCommittedBytesPerReady, value, checkQuorum);
    }

    public RaftConfig withCheckQuorum(boolean value) {
        return new RaftConfig(electionTimeoutTicks, heartbeatTicks, maxInflightAppends, maxInflightBytes,
                maxAppendBytes, maxCommittedBytesPerReady, preVote, value);
    }

    public RaftConfig withFlowControl(int appends, long bytes, long appendBytes) {
        return new RaftConfig(electionTimeoutTicks, heartbeatTicks, appends, bytes, appendBytes,
                maxCommittedBytesPerReady, preVote, checkQuorum);
    }
}
