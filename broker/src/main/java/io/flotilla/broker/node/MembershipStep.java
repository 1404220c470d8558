package io.flotilla.broker.node;

import io.flotilla.raft.MemberId;
import io.flotilla.raft.Membership;

import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * The next single change that moves a Raft group's membership toward the members the metadata
 * wants: a pure function, so its leader can take one step whenever its last change committed.
 *
 * <p>In order: an older incarnation of a wanted member's node goes first (Raft refuses a second
 * member on one node, and the old one is gone with its disk); then wanted members join as
 * learners; a caught-up learner is promoted; unwanted learners go; unwanted voters go last, once
 * every wanted member votes, so the group never has fewer voters than it will keep. The leader
 * never removes itself: it hands leadership to a caught-up voter first (a wanted one, the
 * preferred leader if it can), which then takes the step. A group reduced to one voter keeps it.
 */
final class MembershipStep {

    /** What the leader does next. */
    sealed interface Step {
    }

    /** Propose {@code next}, one member different from the membership in force. */
    record Change(Membership next) implements Step {
    }

    /** Hand leadership to {@code target} before the change that removes the leader. */
    record HandOver(MemberId target) implements Step {
    }

    private MembershipStep() {
    }

    /**
     * @param current   the membership in force, committed
     * @param target    the members wanted, the preferred leader first
     * @param leader    the member taking the step
     * @param caughtUp  whether a member holds about as much of the log as the leader
     * @return nothing when the membership is the target's, or no step is possible yet (a learner
     *         still catching up, no voter to hand over to)
     */
    static Optional<Step> next(Membership current, List<MemberId> target, MemberId leader, Predicate<MemberId> caughtUp) {
        for (MemberId m : current.members()) {
            boolean replaced = !target.contains(m) && target.stream().anyMatch(t -> t.nodeId() == m.nodeId());
            if (replaced) {
                return remove(current, m, target, leader, caughtUp);
            }
        }
        for (MemberId m : target) {
            if (!current.isMember(m)) {
                return Optional.of(new Change(current.addLearner(m)));
            }
        }
        for (MemberId m : target) {
            if (current.learners().contains(m) && caughtUp.test(m)) {
                return Optional.of(new Change(current.promote(m)));
            }
        }
        for (MemberId m : current.learners()) {
            if (!target.contains(m)) {
                return Optional.of(new Change(current.remove(m)));
            }
        }
        if (!current.voters().containsAll(target)) {
            return Optional.empty(); // learners still catching up
        }
        for (MemberId m : current.voters()) {
            if (!target.contains(m)) {
                return remove(current, m, target, leader, caughtUp);
            }
        }
        return Optional.empty();
    }

    private static Optional<Step> remove(Membership current, MemberId m, List<MemberId> target, MemberId leader,
                                         Predicate<MemberId> caughtUp) {
        if (!current.isVoter(m)) {
            return Optional.of(new Change(current.remove(m)));
        }
        if (current.voters().size() == 1) {
            return Optional.empty();
        }
        if (m.equals(leader)) {
            // A wanted voter if one is caught up; else any other (an old incarnation's leader may have no wanted voter yet).
            Stream<MemberId> wantedFirst = Stream.concat(target.stream(), current.voters().stream());
            return wantedFirst.filter(t -> !t.equals(m) && current.isVoter(t) && caughtUp.test(t)).findFirst()
                    .<Step>map(HandOver::new);
        }
        return Optional.of(new Change(current.remove(m)));
    }
}
