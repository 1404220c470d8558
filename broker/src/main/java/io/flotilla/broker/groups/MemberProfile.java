package io.flotilla.broker.groups;

import io.flotilla.api.v1.Assignor;

import java.util.Collections;
import java.util.Objects;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * What a member declared in its last heartbeat, timeouts resolved to their values.
 *
 * @param assignor the member's preference; {@link Assignor#ASSIGNOR_UNSPECIFIED} for none
 */
public record MemberProfile(String clientId, String clientHost, SortedSet<String> subscribedTopics, Assignor assignor,
                            int sessionTimeoutMs, int rebalanceTimeoutMs) {

    public MemberProfile {
        Objects.requireNonNull(clientId, "clientId");
        Objects.requireNonNull(clientHost, "clientHost");
        subscribedTopics = Collections.unmodifiableSortedSet(new TreeSet<>(subscribedTopics));
        if (assignor == null || assignor == Assignor.UNRECOGNIZED) {
            throw new IllegalArgumentException("a member's assignor is UNSPECIFIED, UNIFORM or RANGE, not " + assignor);
        }
        GroupRules.sessionTimeoutProblem(sessionTimeoutMs).or(() -> GroupRules.rebalanceTimeoutProblem(rebalanceTimeoutMs))
                .ifPresent(problem -> {
                    throw new IllegalArgumentException(problem);
                });
    }
}
