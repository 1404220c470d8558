package io.flotilla.jepsen.sim;

import io.flotilla.raft.Entry;

import java.util.ArrayList;
import java.util.List;

/**
 * The high watermark's promises, as Kafka's MonotonicHighWatermark and
 * MajorityReachedHighWatermark: a node's commit end never goes back while its RaftNode lives
 * (a restarted one may start lower), and is never ahead of what a majority of voters hold
 * durably: for commit end c, a majority's durable logs hold the same entry covering offset
 * c - 1, and if that offset was applied anywhere, it is the applied entry.
 */
public final class CommitSafety {
    public static final String NAME = "commit-safety";

    private final List<LogView> voterLogs;
    private final long[] life;
    private final long[] commitEnd;

    /** {@code voterLogs.get(n)} is voter n's durable log (every node is a voter in the simulation). */
    public CommitSafety(List<LogView> voterLogs) {
        this.voterLogs = voterLogs;
        this.life = new long[voterLogs.size()];
        this.commitEnd = new long[voterLogs.size()];
    }

    public int quorum() {
        return voterLogs.size() / 2 + 1;
    }

    /** Node {@code node}, in its run {@code nodeLife}, reports commit end {@code end}. */
    public void check(int node, long nodeLife, long end, LogView committed) {
        if (life[node] == nodeLife && end < commitEnd[node]) {
            throw new InvariantViolation(NAME, "n" + node + " (life " + nodeLife + ") moved its commit end back from "
                    + commitEnd[node] + " to " + end);
        }
        life[node] = nodeLife;
        commitEnd[node] = end;
        if (end <= 0) {
            return;
        }
        long offset = end - 1;
        Entry reference = committed.covering(offset);
        int holders = 0;
        if (reference != null) {
            for (LogView log : voterLogs) {
                Entry held = log.covering(offset);
                holders += held != null && Entries.same(held, reference) ? 1 : 0;
            }
        } else {
            for (LogView log : voterLogs) {
                Entry candidate = log.covering(offset);
                int same = 0;
                for (LogView other : voterLogs) {
                    Entry held = other.covering(offset);
                    same += candidate != null && held != null && Entries.same(held, candidate) ? 1 : 0;
                }
                holders = Math.max(holders, same);
            }
        }
        if (holders < quorum()) {
            throw new InvariantViolation(NAME, "n" + node + " has commit end " + end + " but only " + holders + " of "
                    + voterLogs.size() + " voters durably hold " + (reference == null ? "one same entry"
                    : "the applied entry " + Entries.describe(reference)) + " at offset " + offset + " (quorum "
                    + quorum() + "); durable entries there: " + holdings(offset));
        }
    }

    private String holdings(long offset) {
        List<String> out = new ArrayList<>();
        for (int n = 0; n < voterLogs.size(); n++) {
            out.add("n" + n + " " + Entries.describe(voterLogs.get(n).covering(offset)));
        }
        return String.join(", ", out);
    }
}
