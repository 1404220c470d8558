package io.flotilla.broker.coordinator;

import io.flotilla.api.v1.Assignor;
import io.flotilla.broker.groups.ConsumerGroup;
import io.flotilla.broker.groups.GroupCommand;
import io.flotilla.broker.groups.GroupResult;
import io.flotilla.broker.groups.GroupStateMachine;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MemberLivenessTest {
    private static final int SESSION_MS = 10_000;
    private final GroupStateMachine state = new GroupStateMachine();
    private long offset;

    /** Member "m" of group "g" joins at {@code nowMs}: its logged heartbeat time. */
    private Iterable<ConsumerGroup> joinedAt(long nowMs) {
        state.apply(++offset, new GroupCommand.TopicPartitionsChanged(new TreeMap<>(java.util.Map.of("t", 2))));
        assertInstanceOf(GroupResult.MemberAssignment.class, state.apply(++offset, new GroupCommand.Heartbeat("g", "m", 0,
                List.of("t"), List.of(), Assignor.ASSIGNOR_UNSPECIFIED, SESSION_MS, 0, "c", "h", nowMs)));
        return state.groups().values();
    }

    @Test
    void aMemberHeardFromMemoryIsNotOverdueThoughItsLoggedHeartbeatIs() {
        Iterable<ConsumerGroup> groups = joinedAt(0);
        MemberLiveness liveness = new MemberLiveness(List.of(), 0);
        liveness.heard("g", "m", 8_000);
        assertEquals(List.of(), liveness.overdue(groups, 12_000));
        List<GroupCommand.ExpireMember> overdue = liveness.overdue(groups, 18_000);
        assertEquals(List.of(new GroupCommand.ExpireMember("g", "m", 1, 18_000)), overdue);
        assertTrue(state.group("g").orElseThrow().members().get("m").sessionExpired(18_000),
                "the replicated state agrees, so applying the eviction accepts it");
    }

    @Test
    void aNewLeaderCountsEveryMemberAsHeardWhenItStarts() {
        Iterable<ConsumerGroup> groups = joinedAt(0);
        MemberLiveness liveness = new MemberLiveness(groups, 50_000);
        assertEquals(List.of(), liveness.overdue(groups, 59_999));
        assertEquals(1, liveness.overdue(groups, 60_000).size());
    }
}
