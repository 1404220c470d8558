package io.flotilla.jepsen.sim;

import java.util.List;
import java.util.Set;

/**
 * Why a run failed: the invariant (a checker's name, {@code liveness}, {@code runaway} for a run
 * that never ends, or {@code exception} when the replica or the harness threw), the message,
 * when, and the trace lines before it.
 */
public record Failure(String invariant, String message, long atMs, long eventNo, List<String> traceTail) {
    public Failure {
        traceTail = List.copyOf(traceTail);
    }

    private static final Set<String> SAFETY = Set.of(ElectionSafety.NAME, LogMatching.NAME, LeaderCompleteness.NAME,
            StateMachineSafety.NAME, CommitSafety.NAME);

    /** A safety invariant broken (not liveness, an exception, or a runaway run). */
    public boolean isSafety() {
        return SAFETY.contains(invariant);
    }

    @Override
    public String toString() {
        return message + " (at " + atMs + " ms, event " + eventNo + ")";
    }
}
