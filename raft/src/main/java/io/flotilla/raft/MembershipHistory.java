package io.flotilla.raft;

import java.util.ArrayList;
import java.util.List;

/**
 * The memberships in a member's log, newest last: membership entries take effect when
 * appended, so a truncation must restore the one before them.
 */
final class MembershipHistory {
    private record At(long offset, Membership membership) {
    }

    private final List<At> history = new ArrayList<>();

    /** Starts from what the durable log says; offset -1 stands for "before the log". */
    MembershipHistory(Membership initial) {
        history.add(new At(-1, initial));
    }

    void add(long offset, Membership membership) {
        history.add(new At(offset, membership));
    }

    void truncateFrom(long offset) {
        while (history.size() > 1 && history.get(history.size() - 1).offset() >= offset) {
            history.remove(history.size() - 1);
        }
    }

    Membership current() {
        return history.get(history.size() - 1).membership();
    }

    /** Offset of the newest membership entry, or -1 if the log holds none. */
    long latestOffset() {
        return history.get(history.size() - 1).offset();
    }
}
