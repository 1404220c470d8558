package io.flotilla.jepsen.checker;

import io.flotilla.jepsen.history.Action;
import io.flotilla.jepsen.history.Fault;
import io.flotilla.jepsen.history.HistoryBuilder;
import io.flotilla.jepsen.history.HistoryLine;
import io.flotilla.jepsen.history.MalformedHistoryException;
import io.flotilla.jepsen.history.OpType;
import io.flotilla.jepsen.history.Send;
import io.flotilla.jepsen.report.TextReport;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** One hand-made history per anomaly: the checker names exactly that anomaly, with the right example. */
class CheckerTest {

    @Test
    void lostWrite() throws IOException {
        HistoryBuilder h = new HistoryBuilder()
                .sendOk(1, 0, 1, 0).sendOk(1, 0, 2, 1).sendOk(1, 0, 3, 2)
                .poll(2, 0, 0, 1, 2, 3);
        assertOnly(h, AnomalyKind.LOST_WRITE,
                "value 2 acknowledged at partition 0 offset 1 is never read, though offset 2 was (line 8)", 3, 4, 8);
    }

    @Test
    void duplicate() throws IOException {
        HistoryBuilder h = new HistoryBuilder()
                .sendOk(1, 0, 1, 0).sendOk(1, 0, 2, 1)
                .poll(2, 0, 0, 1, 1, 2, 2, 1);
        assertOnly(h, AnomalyKind.DUPLICATE,
                "value 1 is at partition 0 offset 0 (line 2) and at partition 0 offset 2 (line 6)", 2, 6);
    }

    @Test
    void inconsistentOffsets() throws IOException {
        HistoryBuilder h = new HistoryBuilder()
                .sendOk(1, 0, 1, 0).sendInfo(1, 0, 2)
                .poll(2, 0, 0, 1)
                .poll(3, 0, 0, 2);
        assertOnly(h, AnomalyKind.INCONSISTENT_OFFSETS, "offset 0 holds value 1 (line 2) and value 2 (line 8)", 2, 8);
    }

    @Test
    void inconsistentOffsetsBetweenAClientAndAFinalRead() throws IOException {
        HistoryBuilder h = new HistoryBuilder()
                .sendOk(1, 0, 1, 0).sendInfo(1, 0, 2)
                .finalRead(0, 0, 0, 2, 1, 1);
        CheckResult r = Checker.check(h.history());
        // The final read also holds value 1 at another offset: one value at two offsets.
        assertEquals(Set.of(AnomalyKind.INCONSISTENT_OFFSETS, AnomalyKind.DUPLICATE), r.found(), TextReport.render(r));
        assertEquals("offset 0 holds value 1 (line 2) but value 2 in n0's final read",
                r.examples(AnomalyKind.INCONSISTENT_OFFSETS).get(0).description());
    }

    @Test
    void nonmonotonicSend() throws IOException {
        HistoryBuilder h = new HistoryBuilder()
                .sendOk(1, 0, 1, 5).sendOk(1, 0, 2, 3);
        assertOnly(h, AnomalyKind.NONMONOTONIC_SEND,
                "process 1's send of value 2 got partition 0 offset 3 after its previous send got offset 5 (line 2)", 2, 4);
    }

    @Test
    void nonmonotonicPoll() throws IOException {
        HistoryBuilder h = new HistoryBuilder()
                .sendOk(1, 0, 1, 0).sendOk(1, 0, 2, 1)
                .poll(2, 0, 0, 1, 1, 2)
                .poll(2, 0, 1, 2);
        assertOnly(h, AnomalyKind.NONMONOTONIC_POLL, "process 2 read partition 0 offset 1 after offset 1 (line 6)", 6, 8);
    }

    @Test
    void nonmonotonicPollWithinOnePoll() throws IOException {
        HistoryBuilder h = new HistoryBuilder()
                .sendOk(1, 0, 1, 0).sendOk(1, 0, 2, 1)
                .poll(2, 0, 1, 2, 0, 1);
        assertOnly(h, AnomalyKind.NONMONOTONIC_POLL, "process 2 read partition 0 offset 0 after offset 1 (line 6)", 6);
    }

    @Test
    void pollSkip() throws IOException {
        HistoryBuilder h = new HistoryBuilder()
                .sendOk(1, 0, 1, 0).sendOk(1, 0, 2, 1).sendOk(1, 0, 3, 2)
                .poll(2, 0, 0, 1)
                .poll(2, 0, 2, 3)
                .poll(3, 0, 0, 1, 1, 2, 2, 3);
        assertOnly(h, AnomalyKind.POLL_SKIP,
                "process 2 read partition 0 offset 2 after offset 0 (line 8), skipping 1 read elsewhere: offsets 1", 8, 10);
    }

    @Test
    void unseen() throws IOException {
        HistoryBuilder h = new HistoryBuilder()
                .sendOk(1, 0, 1, 0).sendOk(1, 0, 2, 1)
                .poll(2, 0, 0, 1, 1, 2)
                .finalRead(0, 0, 0, 1).finalRead(1, 0, 0, 1).finalRead(2, 0, 0, 1);
        assertOnly(h, AnomalyKind.UNSEEN, "value 2 acknowledged at partition 0 offset 1 is in no final read", 3, 4);
    }

    @Test
    void abortedReadOfAFailedSend() throws IOException {
        HistoryBuilder h = new HistoryBuilder()
                .sendFail(1, 0, 1).sendOk(1, 0, 2, 1)
                .poll(2, 0, 0, 1, 1, 2);
        assertOnly(h, AnomalyKind.ABORTED_READ, "value 1 read at partition 0 offset 0 (line 6) but its send failed (line 2)",
                1, 2, 6);
    }

    @Test
    void abortedReadOfAValueNeverSent() throws IOException {
        HistoryBuilder h = new HistoryBuilder()
                .sendOk(1, 0, 2, 0)
                .poll(2, 0, 0, 2, 1, 77);
        assertOnly(h, AnomalyKind.ABORTED_READ, "value 77 read at partition 0 offset 1 (line 4) was never sent", 4);
    }

    @Test
    void abortedReadOfAValueSentToAnotherPartition() throws IOException {
        HistoryBuilder h = new HistoryBuilder()
                .sendInfo(1, 1, 5)
                .poll(2, 0, 0, 5);
        assertOnly(h, AnomalyKind.ABORTED_READ, "value 5 read at partition 0 offset 0 (line 4) was sent to partition 1 (line 1)",
                1, 4);
    }

    @Test
    void divergenceOfValues() throws IOException {
        HistoryBuilder h = new HistoryBuilder()
                .sendOk(1, 0, 1, 0).sendInfo(1, 0, 2).sendInfo(1, 0, 3)
                .finalRead(0, 0, 0, 1, 1, 2).finalRead(1, 0, 0, 1, 1, 3).finalRead(2, 0, 0, 1, 1, 2);
        assertOnly(h, AnomalyKind.DIVERGENCE, "partition 0: at offset 1 n0 holds value 2, n1 holds value 3", 8, 10);
    }

    @Test
    void divergenceWhenANodeLacksACommittedRecord() throws IOException {
        HistoryBuilder h = new HistoryBuilder()
                .sendOk(1, 0, 1, 0).sendOk(1, 0, 2, 1)
                .finalRead(0, 0, 0, 1, 1, 2).finalRead(1, 0, 0, 1);
        assertOnly(h, AnomalyKind.DIVERGENCE,
                "partition 0: n1 lacks offset 1 (value 2 on n0) though it is known committed (its log ends at 0)", 6, 8);
    }

    @Test
    void divergenceWhenANodeHasAHole() throws IOException {
        HistoryBuilder h = new HistoryBuilder()
                .sendOk(1, 0, 1, 0).sendInfo(1, 0, 2).sendOk(1, 0, 3, 2)
                .finalRead(0, 0, 0, 1, 1, 2, 2, 3).finalRead(1, 0, 0, 1, 2, 3);
        assertOnly(h, AnomalyKind.DIVERGENCE, "partition 0: n1 lacks offset 1 (value 2 on n0) below its last offset 2", 8, 10);
    }

    @Test
    void cleanHistoryWithIndeterminateSendsGapsAndReassignment() throws IOException {
        HistoryBuilder h = new HistoryBuilder()
                .fault(Fault.Edge.START, "kill", 1)
                .sendOk(1, 0, 10, 0)
                .sendInfo(1, 0, 11)          // landed, at offset 2: offset 1 is a control entry
                .sendInfo(1, 0, 12)          // never landed
                .sendFail(1, 0, 13)
                .sendOk(1, 0, 14, 4)         // offset 3: another control entry
                .sendOk(4, 1, 20, 0)
                .sendOk(6, 0, 15, 5)
                .fault(Fault.Edge.STOP, "kill", 1)
                .assign(2, 0)
                .poll(2, 0, 0, 10, 2, 11)
                .poll(2, 0, 4, 14)
                .assign(2, 0)                // seeks back: reading offset 0 again is no anomaly
                .poll(2, 0, 0, 10)
                .poll(3, 1, 0, 20)
                .sendInfo(1, 0, 16)          // landed at offset 6, only n0 has learned it
                .invoke(5, Send.of(0, 17))   // never completed, never landed
                .finalRead(0, 0, 0, 10, 2, 11, 4, 14, 5, 15, 6, 16).finalRead(0, 1, 0, 20)
                .finalRead(1, 0, 0, 10, 2, 11, 4, 14, 5, 15).finalRead(1, 1, 0, 20)
                .finalRead(2, 0, 0, 10, 2, 11, 4, 14, 5, 15).finalRead(2, 1, 0, 20);
        CheckResult r = Checker.check(h.history());
        assertTrue(r.valid(), TextReport.render(r));
        assertTrue(r.finalReads());
        assertEquals(9, r.stats().count(Action.Kind.SEND, OpType.INVOKE));
        assertEquals(4, r.stats().count(Action.Kind.SEND, OpType.INFO), "3 completed as info, 1 never completed");
        assertEquals(1, r.stats().faultCount());
    }

    @Test
    void aCompletionWithoutInvocationIsMalformed() {
        HistoryBuilder h = new HistoryBuilder().sendOk(1, 0, 1, 0).complete(1, OpType.OK, Send.of(0, 2).at(1));
        MalformedHistoryException e = assertThrows(MalformedHistoryException.class, () -> Checker.check(h.history()));
        assertEquals("history line 3: process 1 completes a send it never invoked", e.getMessage());
    }

    @Test
    void twoOperationsAtOnceInOneProcessAreMalformed() {
        HistoryBuilder h = new HistoryBuilder().invoke(1, Send.of(0, 1)).invoke(1, Send.of(0, 2));
        MalformedHistoryException e = assertThrows(MalformedHistoryException.class, () -> Checker.check(h.history()));
        assertTrue(e.getMessage().startsWith("history line 2: process 1 invokes a send while its send invoked at line 1"
                + " is not completed"), e.getMessage());
    }

    @Test
    void aValueSentTwiceIsMalformed() {
        HistoryBuilder h = new HistoryBuilder().sendOk(1, 0, 1, 0).sendOk(2, 0, 1, 1);
        MalformedHistoryException e = assertThrows(MalformedHistoryException.class, () -> Checker.check(h.history()));
        assertEquals("history line 3: value 1 is sent again (first at line 1): every send needs a unique value",
                e.getMessage());
    }

    @Test
    void anOkSendWithoutOffsetIsMalformed() {
        HistoryBuilder h = new HistoryBuilder().invoke(1, Send.of(0, 1)).complete(1, OpType.OK, Send.of(0, 1));
        MalformedHistoryException e = assertThrows(MalformedHistoryException.class, () -> Checker.check(h.history()));
        assertEquals("history line 2: an ok send must carry the offset the broker acknowledged", e.getMessage());
    }

    @Test
    void examplesAreTheFirstInTheHistoryAndCountsAreComplete() throws IOException {
        HistoryBuilder h = new HistoryBuilder();
        for (int v = 0; v < 8; v++) {
            h.sendOk(1, 0, v, 7 - v);
        }
        CheckResult r = Checker.check(h.history());
        assertEquals(7, r.count(AnomalyKind.NONMONOTONIC_SEND));
        List<Anomaly> examples = r.examples(AnomalyKind.NONMONOTONIC_SEND);
        assertEquals(Checker.EXAMPLES_PER_KIND, examples.size());
        assertEquals(List.of(2L, 4L), lines(examples.get(0)));
        assertEquals(List.of(10L, 12L), lines(examples.get(4)));
    }

    private static void assertOnly(HistoryBuilder h, AnomalyKind kind, String description, long... lines) throws IOException {
        CheckResult r = Checker.check(h.history());
        assertEquals(Set.of(kind), r.found(), TextReport.render(r));
        assertEquals(1, r.count(kind));
        Anomaly a = r.examples(kind).get(0);
        assertEquals(kind, a.kind());
        assertEquals(description, a.description());
        assertEquals(Arrays.stream(lines).boxed().toList(), lines(a));
        for (HistoryLine op : a.ops()) {
            assertEquals(h.entries().get((int) op.line() - 1), op.entry(), "the entry of line " + op.line());
        }
    }

    private static List<Long> lines(Anomaly a) {
        return a.ops().stream().map(HistoryLine::line).toList();
    }
}
