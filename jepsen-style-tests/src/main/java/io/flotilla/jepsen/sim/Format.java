package io.flotilla.jepsen.sim;

import io.flotilla.raft.Entry;
import io.flotilla.raft.HardState;
import io.flotilla.raft.MemberId;
import io.flotilla.raft.Membership;
import io.flotilla.raft.RaftMessage;
import io.flotilla.raft.Ready;

import java.util.List;

/** Compact, deterministic text for trace lines. */
final class Format {
    private Format() {
    }

    static String message(RaftMessage m) {
        String route = " n" + m.from().nodeId() + ">n" + m.to().nodeId() + " t" + m.term();
        if (m instanceof RaftMessage.AppendRequest a) {
            return "append" + route + " prev=" + a.prevEnd() + "/" + a.prevTerm() + " " + entries(a.entries())
                    + " commit=" + a.commitEnd();
        }
        if (m instanceof RaftMessage.AppendResponse r) {
            return "appended" + route + (r.success() ? " ok match=" + r.matchEnd()
                    : " reject hint=" + r.hintEnd() + "/" + r.hintTerm());
        }
        if (m instanceof RaftMessage.VoteRequest v) {
            return (v.preVote() ? "prevote" : "vote") + route + " last=" + v.lastEnd() + "/" + v.lastTerm()
                    + (v.transfer() ? " transfer" : "");
        }
        if (m instanceof RaftMessage.VoteResponse v) {
            return (v.preVote() ? "prevote-" : "vote-") + (v.granted() ? "yes" : "no") + route;
        }
        if (m instanceof RaftMessage.TimeoutNow) {
            return "timeout-now" + route;
        }
        return m.toString();
    }

    /** {@code v0.1.2/l3}: the voters' node ids, then the learners' if any. */
    static String membership(Membership m) {
        StringBuilder sb = new StringBuilder("v");
        nodeIds(sb, m.voters());
        if (!m.learners().isEmpty()) {
            nodeIds(sb.append("/l"), m.learners());
        }
        return sb.toString();
    }

    private static void nodeIds(StringBuilder sb, Iterable<MemberId> members) {
        String sep = "";
        for (MemberId id : members) {
            sb.append(sep).append(id.nodeId());
            sep = ".";
        }
    }

    static String entries(List<Entry> entries) {
        if (entries.isEmpty()) {
            return "[]";
        }
        if (entries.size() <= 3) {
            StringBuilder sb = new StringBuilder();
            for (Entry e : entries) {
                sb.append(Entries.describe(e));
            }
            return sb.toString();
        }
        return Entries.describe(entries.get(0)) + "+" + (entries.size() - 2) + "+"
                + Entries.describe(entries.get(entries.size() - 1));
    }

    static String ready(Ready r) {
        StringBuilder sb = new StringBuilder();
        if (r.truncateFrom() >= 0) {
            sb.append(" trunc=").append(r.truncateFrom());
        }
        if (!r.entries().isEmpty()) {
            sb.append(" +").append(entries(r.entries()));
        }
        HardState hs = r.hardState();
        if (hs != null) {
            sb.append(" hs=t").append(hs.term()).append("/v")
                    .append(hs.votedFor() == null ? "-" : "n" + hs.votedFor().nodeId()).append("/c").append(hs.commitEnd());
        }
        if (!r.committed().isEmpty()) {
            sb.append(" apply=").append(r.committed().get(0).baseOffset()).append("..")
                    .append(r.committed().get(r.committed().size() - 1).lastOffset());
        }
        return sb.toString();
    }

    /** {@code t} right-aligned in 7 columns: trace lines line up without String.format's cost. */
    static StringBuilder time(long t) {
        String s = Long.toString(t);
        StringBuilder sb = new StringBuilder(160);
        for (int i = s.length(); i < 7; i++) {
            sb.append(' ');
        }
        return sb.append(s).append(' ');
    }
}
