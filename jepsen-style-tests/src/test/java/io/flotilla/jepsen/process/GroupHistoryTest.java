package io.flotilla.jepsen.process;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.flotilla.cli.client.TopicPartition;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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

    @Test
    void theValuesNotProcessedInTimeAreNamedAndThoseProcessedMeanwhileAreNot() throws InterruptedException {
        GroupHistory h = new GroupHistory();
        h.processed(1, P, 0, "a");
        Thread checker = Thread.currentThread();
        Thread member = new Thread(() -> {
            while (checker.getState() != Thread.State.TIMED_WAITING) {
                Thread.onSpinWait(); // until the check waits for b
            }
            h.processed(1, P, 1, "b");
        });
        member.setDaemon(true);
        member.start();

        assertEquals(Set.of(), h.unprocessedAfter(List.of("a", "b"), 10), "b comes while the check waits");
        assertEquals(Set.of("c"), h.unprocessedAfter(List.of("a", "b", "c"), 0));
    }

    @Test
    void aRecordProcessedWhereTheCommittedLogHoldsAnotherValueOrNoneIsNamed() {
        GroupHistory h = new GroupHistory();
        h.processed(1, P, 0, "a");
        h.processed(1, P, 1, "x");
        h.processed(2, P, 5, "e");
        h.processed(2, P, 0, "a");
        Map<Long, String> log = Map.of(0L, "a", 1L, "b");

        assertEquals(List.of("member 1 processed x at t/0 offset 1, where the committed log holds b",
                "member 2 processed e at t/0 offset 5, where the committed log holds nothing"),
                h.notInLog((p, offset) -> log.get(offset), 5));
        assertEquals(List.of("member 1 processed x at t/0 offset 1, where the committed log holds b",
                "... 2 records processed that the committed log does not hold, in all"),
                h.notInLog((p, offset) -> log.get(offset), 1));
    }

    @Test
    void theHistoryIsWrittenOneEventPerLineInItsOrder(@TempDir Path dir) throws IOException {
        GroupHistory h = new GroupHistory();
        h.assigned(1, P, 0);
        h.processed(1, P, 0, "a");
        h.commitEnded(h.commitSent(P, 1), null);

        h.write(dir.resolve("group-history.txt"));
        assertEquals(List.of("Assigned[member=1, partition=t/0, offset=0]",
                "Processed[member=1, partition=t/0, offset=0, value=a]", "CommitSent[id=0, partition=t/0, offset=1]",
                "CommitEnded[id=0, committed=null]"), Files.readAllLines(dir.resolve("group-history.txt")));
    }
}
