package io.flotilla.broker.groups;

import static io.flotilla.broker.groups.GroupFixture.heartbeat;
import static io.flotilla.broker.groups.GroupFixture.tps;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flotilla.broker.groups.GroupResult.MemberAssignment;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Which heartbeats a coordinator leader may answer without logging: those that change nothing but their time. */
class HeartbeatEvaluationTest {
    private final GroupFixture f = new GroupFixture();

    private boolean onlyTimeChanges(GroupCommand.Heartbeat beat) {
        Optional<ConsumerGroup> before = f.machine.group(GroupFixture.GROUP);
        GroupApplier.Outcome outcome = GroupApplier.apply(before, f.machine.partitionCounts(), beat);
        return GroupApplier.onlyHeartbeatTimeChanged(before, outcome.group(), beat.memberId());
    }

    @Test
    void aStableMembersHeartbeatChangesOnlyItsTime() {
        MemberAssignment a = f.tSplitBetweenAAndB().get(0);
        assertTrue(onlyTimeChanges(heartbeat("a", a.memberEpoch(), List.of("t"), a.assignment(), f.nowMs + 500)));
    }

    @Test
    void aHeartbeatThatStartsOrCompletesARevocationIsLogged() {
        MemberAssignment a = f.aHoldsTAndBJoins();
        assertFalse(onlyTimeChanges(heartbeat("a", a.memberEpoch(), List.of("t"), a.assignment(), f.nowMs)),
                "a starts revoking the partitions b is to get");
        MemberAssignment revoked = f.beat("a", a.memberEpoch(), a.assignment());
        assertFalse(onlyTimeChanges(heartbeat("a", revoked.memberEpoch(), List.of("t"), revoked.assignment(), f.nowMs)),
                "a releases them");
    }

    @Test
    void aJoinAndAChangedSubscriptionAreLogged() {
        f.topics("t", 2, "u", 2);
        assertFalse(onlyTimeChanges(heartbeat("a", 0, List.of("t"), List.of(), f.nowMs)));
        MemberAssignment a = f.ack("a", f.join("a", "t"));
        assertFalse(onlyTimeChanges(heartbeat("a", a.memberEpoch(), List.of("t", "u"), tps("t", 0, 1), f.nowMs)));
    }
}
