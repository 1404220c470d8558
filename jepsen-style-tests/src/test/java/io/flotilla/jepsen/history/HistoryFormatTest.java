package io.flotilla.jepsen.history;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

class HistoryFormatTest {

    @Test
    void everyKindOfEntrySurvivesAFileRoundTrip(@TempDir Path dir) throws IOException {
        List<HistoryEntry> entries = new HistoryBuilder()
                .fault(Fault.Edge.START, "partition \"halves\"\\\n", 0, 1)
                .sendOk(1, 0, -5, 0)
                .sendFail(1, 2, Long.MAX_VALUE)
                .sendInfo(1, 0, Long.MIN_VALUE)
                .assign(2, 0)
                .poll(2, 0)
                .poll(2, 0, 0, -5, 7, 8)
                .finalRead(3, 0, 0, -5)
                .invoke(9, FinalRead.of(1, 4))
                .fault(Fault.Edge.STOP, "partition \"halves\"\\\n")
                .entries();
        Path file = dir.resolve("history.jsonl");
        try (HistoryWriter w = HistoryWriter.create(file)) {
            for (HistoryEntry e : entries) {
                w.write(e);
            }
        }
        assertEquals(entries, readAll(History.file(file)));
        assertEquals(entries, readAll(History.file(file)), "a second pass reads the same");
    }

    @Test
    void theDocumentedLinesAreWhatTheWriterWrites() {
        assertEquals("{\"time\":5400,\"wall\":1700000000005,\"process\":3,\"type\":\"ok\",\"f\":\"send\",\"partition\":0,"
                        + "\"value\":17,\"offset\":42}",
                HistoryWriter.toJson(new Op(5400, 1700000000005L, 3, OpType.OK, Send.of(0, 17).at(42))));
        assertEquals("{\"time\":7000,\"wall\":1700000000007,\"process\":9,\"type\":\"ok\",\"f\":\"final-read\",\"node\":2,"
                        + "\"partition\":0,\"messages\":[[0,1]]}",
                HistoryWriter.toJson(new Op(7000, 1700000000007L, 9, OpType.OK,
                        new FinalRead(2, 0, List.of(new Message(0, 1))))));
        assertEquals("{\"time\":8000,\"wall\":1700000000008,\"fault\":\"start\",\"kind\":\"kill\",\"targets\":[1]}",
                HistoryWriter.toJson(new Fault(8000, 1700000000008L, Fault.Edge.START, "kill", List.of(1))));
    }

    @Test
    void theReaderTakesKeysInAnyOrderAndSkipsBlankLines() throws IOException {
        HistoryReader r = new HistoryReader(new StringReader(
                "\n{ \"f\" : \"poll\", \"type\":\"ok\", \"partition\":1, \"messages\":[ [3, 4] ], \"process\":2,"
                        + " \"wall\":9, \"time\":8 }\n\n"));
        assertEquals(new Op(8, 9, 2, OpType.OK, new Poll(1, List.of(new Message(3, 4)))), r.next());
        assertEquals(2, r.line());
        assertNull(r.next());
    }

    @Test
    void aBadLineIsReportedWithItsNumberAndWhatIsWrong() {
        assertEquals("history line 2: \"partition\" is missing: {\"time\":1,\"wall\":1,\"process\":1,\"type\":\"ok\",\"f\":\"poll\"}",
                readError("{\"time\":0,\"wall\":0,\"fault\":\"stop\",\"kind\":\"heal\",\"targets\":[]}\n"
                        + "{\"time\":1,\"wall\":1,\"process\":1,\"type\":\"ok\",\"f\":\"poll\"}\n"));
        assertEquals("history line 1: a string is not closed at column 41: {\"time\":1,\"wall\":1,\"process\":1,\"type\":\"o",
                readError("{\"time\":1,\"wall\":1,\"process\":1,\"type\":\"o"));
        assertEquals("history line 1: only integers are expected at column 10: {\"time\":1.5}", readError("{\"time\":1.5}"));
        assertEquals("history line 1: unknown function \"read\" (send, poll, assign, final-read): "
                        + "{\"time\":1,\"wall\":1,\"process\":1,\"type\":\"ok\",\"f\":\"read\",\"partition\":0}",
                readError("{\"time\":1,\"wall\":1,\"process\":1,\"type\":\"ok\",\"f\":\"read\",\"partition\":0}"));
        assertEquals("history line 1: a message is [offset, value], got [1]: "
                        + "{\"time\":1,\"wall\":1,\"process\":1,\"type\":\"ok\",\"f\":\"poll\",\"partition\":0,\"messages\":[[1]]}",
                readError("{\"time\":1,\"wall\":1,\"process\":1,\"type\":\"ok\",\"f\":\"poll\",\"partition\":0,\"messages\":[[1]]}"));
        assertEquals("history line 1: \"value\" must be an integer: "
                        + "{\"time\":1,\"wall\":1,\"process\":1,\"type\":\"ok\",\"f\":\"send\",\"partition\":0,\"value\":\"x\"}",
                readError("{\"time\":1,\"wall\":1,\"process\":1,\"type\":\"ok\",\"f\":\"send\",\"partition\":0,\"value\":\"x\"}"));
    }

    @Test
    void theRecorderStampsRunTimeAndWallTimeInOrder() throws IOException {
        AtomicLong nanos = new AtomicLong(1_000);
        StringWriter out = new StringWriter();
        try (HistoryRecorder recorder = new HistoryRecorder(new HistoryWriter(out), nanos::get, () -> 42)) {
            nanos.set(1_500);
            recorder.invoke(1, Send.of(0, 7));
            nanos.set(2_000);
            recorder.faultStarted("pause", List.of(2));
            nanos.set(3_000);
            recorder.complete(1, OpType.OK, Send.of(0, 7).at(0));
            assertThrows(IllegalArgumentException.class, () -> recorder.complete(1, OpType.INVOKE, Send.of(0, 8)));
        }
        assertEquals(List.of(
                        new Op(500, 42, 1, OpType.INVOKE, Send.of(0, 7)),
                        new Fault(1_000, 42, Fault.Edge.START, "pause", List.of(2)),
                        new Op(2_000, 42, 1, OpType.OK, Send.of(0, 7).at(0))),
                readAll(() -> new HistoryReader(new StringReader(out.toString()))));
    }

    private static String readError(String text) {
        return assertThrows(MalformedHistoryException.class,
                () -> readAll(() -> new HistoryReader(new StringReader(text)))).getMessage();
    }

    private static List<HistoryEntry> readAll(History history) throws IOException {
        List<HistoryEntry> read = new ArrayList<>();
        history.forEach((e, line) -> read.add(e));
        return read;
    }
}
