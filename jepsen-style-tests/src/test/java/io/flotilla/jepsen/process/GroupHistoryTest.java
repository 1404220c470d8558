package io.flotilla.jepsen.process;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.flotilla.cli.client.TopicPartition;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The check of {@link GroupHistory} on hand-written histories: what a new owner may start at. */
class GroupHistoryTest {
    private static final TopicPartition P = new TopicPartition("t", 0);

    @Test
    void aNewOwnerStartsAtTheLastCommittedOffsetOrTheResetOffsetBeforeAnyCommit() {
        GroupHistory h = new GroupHistory();
        h.assigned(1, P, 0);
        h.processed(1, P, 0, "a");
        h.processed(1, P, 1, "b");
        h.commitEnded(h.commitSent(P, 2), true);
        h.assigned(2, P, 2);

        GroupHistory.Verdict v = h.check(0);
        assertEquals(List.of(), v.violations());
        assertEquals(1, v.reassignments());
        assertEquals(2, v.records());
        assertEquals(0, v.duplicates());
    }

    @Test
    void startingBeforeOrAfterTheCommittedOffsetIsAViolation() {
        GroupHistory h = new GroupHistory();
        h.assigned(1, P, 1);
        h.commitEnded(h.commitSent(P, 5), true);
        h.assigned(2, P, 4);
        h.assigned(3, P, 6);

        assertEquals(List.of("member 1 took up t/0 at offset 1, but the group's committed offset was one of [0]",
                "member 2 took up t/0 at offset 4, but the group's committed offset was one of [5]",
                "member 3 took up t/0 at offset 6, but the group's committed offset was one of [5]"),
                h.check(0).violations());
    }

    @Test
    void aCommitNotYetAnsweredOrWhoseAnswerWasLostMayBeWhereTheNextOwnerStartsButARefusedOneMayNot() {
        GroupHistory h = new GroupHistory();
        h.commitEnded(h.commitSent(P, 3), true);
        int lost = h.commitSent(P, 7);
        h.commitEnded(lost, null);
        h.assigned(2, P, 7);
        int pending = h.commitSent(P, 9);
        h.assigned(3, P, 9);
        h.commitEnded(pending, false);
        h.assigned(4, P, 9);

        assertEquals(List.of("member 4 took up t/0 at offset 9, but the group's committed offset was one of [3, 7]"),
                h.check(0).violations());
    }

    @Test
    void anAcknowledgedCommitSupersedesEveryCommitSentBeforeIt() {
        GroupHistory h = new GroupHistory();
        h.commitSent(P, 4); // from a member evicted meanwhile: never answered
        h.commitEnded(h.commitSent(P, 6), true);
        h.assigned(2, P, 4);

        assertEquals(List.of("member 2 took up t/0 at offset 4, but the group's committed offset was one of [6]"),
                h.check(0).violations());
    }

    @Test
    void recordsProcessedMoreThanOnceAreCountedAsDuplicates() {
        GroupHistory h = new GroupHistory();
        h.processed(1, P, 0, "a");
        h.processed(2, P, 0, "a");
        h.processed(2, P, 1, "b");

        GroupHistory.Verdict v = h.check(0);
        assertEquals(2, v.records());
        assertEquals(1, v.duplicates());
    }
}
