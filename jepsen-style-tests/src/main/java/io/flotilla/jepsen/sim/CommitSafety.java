package io.flotilla.jepsen.sim;

import io.flotilla.raft.Entry;

import java.util.ArrayList;
import java.util.List;
import java.util.SortedSet;

/**
 * The high watermark's promises, as Kafka's MonotonicHighWatermark and
 * MajorityReachedHighWatermark: a node's commit end never goes back while its RaftNode lives
 * (a restarted one may start lower), and is never ahead of what a majority of voters hold
 * durably: for commit end c, a majority's durable logs hold the same entry covering offset
 * c - 1, and if that offset was applied anywhere, it is the applied entry.
 *
 * <p>Which voters: those a leader counted when it moved its commit end past c - 1 (reported
 * with {@link #leaderCommitted}). A membership takes effect when appended, so that is the
 * membership in force at the offset or, while a change is not committed yet, the one after it;
 * one voter apart, any majorities of the two overlap. Commit ends no leader was seen reaching
 * fail.
 */
public final class CommitSafety {
    public static final String NAME = "commit-safety";

    /** Commit ends in {@code (from, to]} were reached counting {@code voters} (node indexes). */
    private record Quorum(long from, long to, SortedSet<Integer> voters) {
        boolean covers(long end) {
            return from < end && end <= to;
        }

        int size() {
            return voters.size() / 2 + 1;
        }
    }

    private final List<LogView> logs;
    private final List<Quorum> quorums = new ArrayList<>();
    private final long[] life;
    private final long[] commitEnd;

    /** {@code logs.get(n)} is node n's durable log. */
    public CommitSafety(List<LogView> logs) {
        this.logs = logs;
        this.life = new long[logs.size()];
        this.commitEnd = new long[logs.size()];
    }

    /** A leader moved its commit end from {@code from} to {@code to} counting the voters {@code voters}. */
    public void leaderCommitted(long from, long to, SortedSet<Integer> voters) {
        for (int i = 0; i < quorums.size(); i++) {
            Quorum q = quorums.get(i);
            if (q.voters().equals(voters) && from <= q.to() && to >= q.from()) {
                quorums.set(i, new Quorum(Math.min(from, q.from()), Math.max(to, q.to()), voters));
                return;
            }
        }
        quorums.add(new Quorum(from, to, voters));
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
        Quorum failing = null;
        int failingHolders = 0;
        for (Quorum q : quorums) {
            if (!q.covers(end)) {
                continue;
            }
            int holders = holders(q, offset, reference);
            if (holders >= q.size()) {
                return;
            }
            failing = q;
            failingHolders = holders;
        }
        if (failing == null) {
            throw new InvariantViolation(NAME, "n" + node + " has commit end " + end + " but no leader was seen"
                    + " committing that far");
        }
        throw new InvariantViolation(NAME, "n" + node + " has commit end " + end + " but only " + failingHolders
                + " of the " + failing.voters().size() + " voters " + nodes(failing.voters()) + " durably hold "
                + (reference == null ? "one same entry" : "the applied entry " + Entries.describe(reference))
                + " at offset " + offset + " (quorum " + failing.size() + "); durable entries there: "
                + holdings(offset));
    }

    /**
     * How many of {@code q}'s voters durably hold {@code reference} at {@code offset}; with none
     * (nothing applied there yet), how many hold the entry most of them hold.
     */
    private int holders(Quorum q, long offset, Entry reference) {
        if (reference != null) {
            return holding(q, offset, reference);
        }
        int most = 0;
        for (int v : q.voters()) {
            Entry candidate = logs.get(v).covering(offset);
            if (candidate != null) {
                most = Math.max(most, holding(q, offset, candidate));
            }
        }
        return most;
    }

    private int holding(Quorum q, long offset, Entry entry) {
        int n = 0;
        for (int v : q.voters()) {
            Entry held = logs.get(v).covering(offset);
            n += held != null && Entries.same(held, entry) ? 1 : 0;
        }
        return n;
    }

    private static String nodes(SortedSet<Integer> voters) {
        StringBuilder sb = new StringBuilder();
        for (int v : voters) {
            sb.append(sb.length() == 0 ? "n" : ", n").append(v);
        }
        return sb.toString();
    }

    private String holdings(long offset) {
        List<String> out = new ArrayList<>();
        for (int n = 0; n < logs.size(); n++) {
            out.add("n" + n + " " + Entries.describe(logs.get(n).covering(offset)));
        }
        return String.join(", ", out);
    }
}
