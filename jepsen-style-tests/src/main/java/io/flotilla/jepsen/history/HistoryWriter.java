package io.flotilla.jepsen.history;

import java.io.BufferedWriter;
import java.io.Closeable;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Writes a history as JSON lines ({@code history.jsonl}), one entry per line, for example:
 * <pre>
 * {"time":1200,"wall":1700000000001,"process":3,"type":"invoke","f":"send","partition":0,"value":17}
 * {"time":5400,"wall":1700000000005,"process":3,"type":"ok","f":"send","partition":0,"value":17,"offset":42}
 * {"time":6100,"wall":1700000000006,"process":7,"type":"ok","f":"poll","partition":0,"messages":[[41,16],[42,17]]}
 * {"time":7000,"wall":1700000000007,"process":9,"type":"ok","f":"final-read","node":2,"partition":0,"messages":[[0,1]]}
 * {"time":8000,"wall":1700000000008,"fault":"start","kind":"kill","targets":[1]}
 * </pre>
 * {@code time} is monotonic nanoseconds since the run began, {@code wall} epoch milliseconds; a
 * send's {@code offset} appears once known; {@code assign} carries a partition only. Not thread
 * safe: {@link HistoryRecorder} serializes concurrent clients.
 */
public final class HistoryWriter implements Closeable {
    private final Writer out;

    public HistoryWriter(Writer out) {
        this.out = out instanceof BufferedWriter ? out : new BufferedWriter(out);
    }

    public static HistoryWriter create(Path path) throws IOException {
        return new HistoryWriter(Files.newBufferedWriter(path, StandardCharsets.UTF_8));
    }

    public void write(HistoryEntry entry) throws IOException {
        out.write(toJson(entry));
        out.write('\n');
    }

    public void flush() throws IOException {
        out.flush();
    }

    @Override
    public void close() throws IOException {
        out.close();
    }

    /** The line that stands for {@code entry} (without the newline). */
    public static String toJson(HistoryEntry entry) {
        StringBuilder b = new StringBuilder(96);
        b.append("{\"time\":").append(entry.time()).append(",\"wall\":").append(entry.wall());
        if (entry instanceof Fault f) {
            b.append(",\"fault\":\"").append(f.edge().label()).append("\",\"kind\":");
            Json.appendString(b, f.kind());
            b.append(",\"targets\":[");
            List<Integer> targets = f.targets();
            for (int i = 0; i < targets.size(); i++) {
                b.append(i == 0 ? "" : ",").append(targets.get(i));
            }
            return b.append("]}").toString();
        }
        Op op = (Op) entry;
        Action a = op.action();
        b.append(",\"process\":").append(op.process())
                .append(",\"type\":\"").append(op.type().label())
                .append("\",\"f\":\"").append(a.kind().label()).append('"');
        if (a instanceof FinalRead r) {
            b.append(",\"node\":").append(r.node());
        }
        b.append(",\"partition\":").append(a.partition());
        if (a instanceof Send s) {
            b.append(",\"value\":").append(s.value());
            if (s.offset() != Send.UNKNOWN) {
                b.append(",\"offset\":").append(s.offset());
            }
        } else if (a instanceof Poll p) {
            appendMessages(b, p.messages());
        } else if (a instanceof FinalRead r) {
            appendMessages(b, r.messages());
        }
        return b.append('}').toString();
    }

    private static void appendMessages(StringBuilder b, List<Message> messages) {
        b.append(",\"messages\":[");
        for (int i = 0; i < messages.size(); i++) {
            Message m = messages.get(i);
            b.append(i == 0 ? "[" : ",[").append(m.offset()).append(',').append(m.value()).append(']');
        }
        b.append(']');
    }
}
