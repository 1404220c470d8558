package io.flotilla.jepsen.report;

import io.flotilla.jepsen.checker.CheckResult;
import io.flotilla.jepsen.checker.Checker;
import io.flotilla.jepsen.history.Action;
import io.flotilla.jepsen.history.Fault;
import io.flotilla.jepsen.history.History;
import io.flotilla.jepsen.history.HistoryBuilder;
import io.flotilla.jepsen.history.Poll;
import io.flotilla.jepsen.history.Send;
import io.flotilla.jepsen.history.OpType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

import javax.xml.parsers.DocumentBuilderFactory;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.LongStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReportTest {
    private static final long MS = 1_000_000;

    /** Three seconds: a kill, two partitions healed at once, a pause never stopped; a send, a poll, a send. */
    private static HistoryBuilder run() {
        return new HistoryBuilder()
                .at(0).fault(Fault.Edge.START, "kill", 1)
                .at(100 * MS).invoke(1, Send.of(0, 1))
                .at(150 * MS).complete(1, OpType.OK, Send.of(0, 1).at(0))
                .at(200 * MS).fault(Fault.Edge.START, "partition", 0)
                .at(210 * MS).fault(Fault.Edge.START, "partition", 2)
                .at(1_200 * MS).invoke(2, Poll.of(0))
                .at(1_300 * MS).complete(2, OpType.OK, new Poll(0, HistoryBuilder.messages(0, 1)))
                .at(1_500 * MS).fault(Fault.Edge.STOP, "kill", 1)
                .at(1_600 * MS).fault(Fault.Edge.STOP, "partition")
                .at(2_000 * MS).fault(Fault.Edge.START, "pause", 2)
                .at(2_500 * MS).invoke(1, Send.of(0, 2))
                .at(2_510 * MS).complete(1, OpType.OK, Send.of(0, 2).at(1))
                .sendFail(1, 0, 3)
                .sendInfo(1, 0, 4)
                .finalRead(0, 0, 0, 1, 1, 2).finalRead(1, 0, 0, 1, 1, 2).finalRead(2, 0, 0, 1, 1, 2);
    }

    @Test
    void theSummaryLineCountsOperationsByOutcomeAndFaultsByKind() throws Exception {
        CheckResult r = Checker.check(run().history());
        assertEquals("jepsen: 8 ops (send 2 ok/1 fail/1 info, poll 1 ok, final-read 3 ok), 4 faults (kill 1, partition 2,"
                + " pause 1), anomalies: none", Summary.line(r));
    }

    @Test
    void theSummaryLineNamesAnomaliesAndWhatWasNotChecked() throws Exception {
        CheckResult r = Checker.check(new HistoryBuilder()
                .sendOk(1, 0, 1, 0).sendOk(1, 0, 2, 1).sendOk(1, 0, 3, 2).poll(2, 0, 0, 1, 2, 3).poll(3, 0, 0, 1, 2, 3)
                .sendFail(1, 0, 4).poll(3, 0, 3, 4).history());
        assertEquals("jepsen: 7 ops (send 3 ok/1 fail, poll 3 ok), 0 faults, anomalies: lost-write 1, aborted-read 1"
                + " (no final reads: unseen and divergence not checked)", Summary.line(r));
    }

    @Test
    void theTextReportGivesEachKindItsCountMeaningAndExamplesWithTheirLines() throws Exception {
        HistoryBuilder h = new HistoryBuilder().sendOk(1, 0, 1, 0).sendOk(1, 0, 2, 1);
        long[] longRead = LongStream.range(0, 40).flatMap(o -> LongStream.of(o + 2, 100 + o)).toArray();
        h.sendInfo(1, 0, 3).poll(2, 0, longRead).poll(2, 0, 0, 1);
        String report = TextReport.render(Checker.check(h.history()));
        assertTrue(report.contains("\nnonmonotonic-poll: 1 (a process's reads of a partition went back)\n"
                + "  - process 2 read partition 0 offset 0 after offset 41 (line 8)\n"
                + "      line 8: {\"time\":8000000,\"wall\":1700000000008,\"process\":2,\"type\":\"ok\",\"f\":\"poll\","
                + "\"partition\":0,\"messages\":[[2,100],[3,101],[4,102],[39,137],[40,138],[41,139]]}"
                + " (first and last 3 of 40 messages)\n"
                + "      line 10: {\"time\":10000000,"), report);
        assertTrue(report.contains("\naborted-read: 40 (read, though its send failed or never happened)\n"), report);
        assertTrue(report.contains("\n  (35 more)\n"), report);
    }

    @Test
    void theTimelineCountsPerSecondAndPairsFaultStartsWithStops() throws Exception {
        Timeline t = Timeline.of(run().history());
        assertEquals(3, t.seconds());
        assertEquals(List.of(1L, 0L, 1L), List.of(t.ok(Action.Kind.SEND, 0), t.ok(Action.Kind.SEND, 1), t.ok(Action.Kind.SEND, 2)));
        assertEquals(1, t.ok(Action.Kind.POLL, 1));
        assertEquals(50, t.latencyMillis(Action.Kind.SEND, 0, 50), 0.5);
        assertEquals(100, t.latencyMillis(Action.Kind.POLL, 1, 99), 1);
        assertTrue(Double.isNaN(t.latencyMillis(Action.Kind.POLL, 0, 50)));
        long end = t.durationNanos();
        assertEquals(List.of(
                new Timeline.FaultInterval("kill", List.of(1), 0, 1_500 * MS),
                new Timeline.FaultInterval("partition", List.of(0), 200 * MS, 1_600 * MS),
                new Timeline.FaultInterval("partition", List.of(2), 210 * MS, 1_600 * MS),
                new Timeline.FaultInterval("pause", List.of(2), 2_000 * MS, end)), t.faults());
    }

    @Test
    void theHtmlReportIsWellFormedWithTwoChartsEachShadingEveryFault(@TempDir Path dir) throws Exception {
        History history = run().history();
        CheckResult result = RunReport.write("run 7", history, dir);
        assertTrue(result.valid());
        assertTrue(Files.readString(dir.resolve(RunReport.TEXT)).startsWith(Summary.line(result)));
        String html = Files.readString(dir.resolve(RunReport.HTML));
        Document page = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new ByteArrayInputStream(html.getBytes(StandardCharsets.UTF_8)));
        NodeList charts = page.getElementsByTagName("svg");
        assertEquals(2, charts.getLength(), "throughput and latency");
        for (int c = 0; c < charts.getLength(); c++) {
            NodeList rects = ((Element) charts.item(c)).getElementsByTagName("rect");
            int bands = 0;
            for (int i = 0; i < rects.getLength(); i++) {
                if ("fault".equals(((Element) rects.item(i)).getAttribute("class"))) {
                    bands++;
                }
            }
            assertEquals(4, bands, "one band per fault in chart " + c);
            assertEquals(c == 0 ? 2 : 4, ((Element) charts.item(c)).getElementsByTagName("path").getLength(),
                    "send and poll series in chart " + c + " (latency: p50 and p99 of each)");
        }
        assertTrue(html.contains("<title>kill [1]: 0 s to 1.50 s</title>"), html);
        assertTrue(html.contains("<p>" + Summary.line(result) + "</p>"), html);
        assertTrue(!html.contains("<script"), "no scripts");
    }
}
