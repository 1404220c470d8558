package io.flotilla.broker.node;

import io.flotilla.raft.MemberId;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * When the leader balancer may next hand a group over to its preferred leader. A hand-over
 * that did not take (this node still leads the group when it looks again) makes the next try
 * wait twice as long as the one before, from one balance interval up to a cap; a group this
 * node no longer leads is forgotten. Each try costs the partition its produce for up to an
 * election timeout (a leader refuses proposals while it transfers), so a target that cannot
 * take over (its loop stuck, a link cut one way) must not be tried at every pass.
 * Timer thread only.
 */
final class HandOverBackoff {
    private record Tried(MemberId target, long atNanos, int earlierTries) {
    }

    private final Map<Long, Tried> tried = new HashMap<>();
    private final long intervalNanos;
    private final long maxWaitNanos;

    /**
     * @param intervalNanos the wait after a first try (the balance interval: the next pass)
     * @param maxWaitNanos  the longest wait between two tries
     */
    HandOverBackoff(long intervalNanos, long maxWaitNanos) {
        if (intervalNanos <= 0 || maxWaitNanos < intervalNanos) {
            throw new IllegalArgumentException("need 0 < interval <= max wait, got " + intervalNanos + " and "
                    + maxWaitNanos);
        }
        this.intervalNanos = intervalNanos;
        this.maxWaitNanos = maxWaitNanos;
    }

    /** Whether {@code groupId}, still led here, may be handed to {@code target} at {@code nowNanos}. */
    boolean mayTry(long groupId, MemberId target, long nowNanos) {
        Tried t = tried.get(groupId);
        return t == null || !t.target().equals(target) || nowNanos - t.atNanos() >= waitAfter(t.earlierTries());
    }

    /** A hand-over of {@code groupId} to {@code target} begins at {@code nowNanos}. */
    void tried(long groupId, MemberId target, long nowNanos) {
        Tried t = tried.get(groupId);
        int earlier = t == null || !t.target().equals(target) ? 0 : t.earlierTries() + 1;
        tried.put(groupId, new Tried(target, nowNanos, earlier));
    }

    /** Forgets the groups not in {@code led}: their hand-overs took, or their leadership moved otherwise. */
    void retainLed(Set<Long> led) {
        tried.keySet().retainAll(led);
    }

    /** The wait after a try that had {@code earlierTries} before it, all of them failed. */
    long waitAfter(int earlierTries) {
        return earlierTries >= 62 || intervalNanos > maxWaitNanos >> earlierTries ? maxWaitNanos
                : intervalNanos << earlierTries;
    }
}
