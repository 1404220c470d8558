package io.flotilla.raft;

import java.util.ArrayList;
import java.util.List;

/**
 * The memberships in a member's log, newest last: membership entries take effect when
 * appended, so a truncation must restore the one before them, also after a restart.
 */
final class MembershipHistory {
    private final List<MembershipEntry> history = new ArrayList<>();

    /** Starts from the durable log's history: the base membership, then every membership entry. */
    MembershipHistory(List<MembershipEntry> durable) {
        if (durable.isEmpty() || durable.get(0).offset() != -1) {
            throw new IllegalArgumentException("a membership history starts with the base membership at offset -1");
        }
        history.addAll(durable);
    }

    void add(long offset, Membership membership) {
        history.add(new MembershipEntry(offset, membership));
    }

    void truncateFrom(long offset) {
        while (history.size() > 1 && history.get(history.size() - 1).offset() >= offset) {
            history.remove(history.size() - 1);
        }
    }

    /** The membership before the newest entry (the base one if there is a single entry). */
    Membership previous() {
        return history.get(Math.max(0, history.size() - 2)).membership();
    }

    /** A snapshot replaced the log: its membership is the base, and no entry is left. */
    void reset(Membership base) {
        history.clear();
        history.add(new MembershipEntry(-1, base));
    }

    Membership current() {
        return history.get(history.size() - 1).membership();
    }

    /** Offset of the newest membership entry, or -1 if the log holds none. */
    long latestOffset() {
        return history.get(history.size() - 1).offset();
    }
}
