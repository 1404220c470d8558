package io.flotilla.jepsen.history;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Reads what {@link HistoryWriter} wrote, one line at a time: memory holds one entry, whatever
 * the history's length. Blank lines are skipped; anything else that is not an entry is reported
 * as a {@link MalformedHistoryException} naming the line (a torn last line included: a harness
 * that died mid-write).
 */
public final class HistoryReader implements EntryStream {
    private final BufferedReader in;
    private long line;

    public HistoryReader(Reader in) {
        this.in = in instanceof BufferedReader b ? b : new BufferedReader(in);
    }

    public static HistoryReader open(Path path) throws IOException {
        return new HistoryReader(Files.newBufferedReader(path, StandardCharsets.UTF_8));
    }

    @Override
    public HistoryEntry next() throws IOException {
        String text;
        do {
            text = in.readLine();
            if (text == null) {
                return null;
            }
            line++;
        } while (text.isBlank());
        try {
            return parse(Json.parseObject(text));
        } catch (IllegalArgumentException | ArithmeticException e) {
            throw new MalformedHistoryException(line, e.getMessage() + ": " + text);
        }
    }

    @Override
    public long line() {
        return line;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }

    private static HistoryEntry parse(Map<String, Object> o) {
        long time = number(o, "time");
        long wall = number(o, "wall");
        if (o.containsKey("fault")) {
            List<Integer> targets = new ArrayList<>();
            for (Object t : list(o, "targets")) {
                targets.add(Math.toIntExact(integer(t, "a target")));
            }
            return new Fault(time, wall, Fault.Edge.fromLabel(string(o, "fault")), string(o, "kind"), targets);
        }
        int partition = Math.toIntExact(number(o, "partition"));
        Action action = switch (Action.Kind.fromLabel(string(o, "f"))) {
            case SEND -> new Send(partition, number(o, "value"),
                    o.containsKey("offset") ? number(o, "offset") : Send.UNKNOWN);
            case POLL -> new Poll(partition, messages(o));
            case ASSIGN -> new Assign(partition);
            case FINAL_READ -> new FinalRead(Math.toIntExact(number(o, "node")), partition, messages(o));
        };
        return new Op(time, wall, Math.toIntExact(number(o, "process")), OpType.fromLabel(string(o, "type")), action);
    }

    private static List<Message> messages(Map<String, Object> o) {
        List<Message> messages = new ArrayList<>();
        for (Object m : list(o, "messages")) {
            if (!(m instanceof List<?> pair) || pair.size() != 2) {
                throw new IllegalArgumentException("a message is [offset, value], got " + m);
            }
            messages.add(new Message(integer(pair.get(0), "an offset"), integer(pair.get(1), "a value")));
        }
        return messages;
    }

    private static <T> T field(Map<String, Object> o, String key, Class<T> type, String what) {
        Object v = o.get(key);
        if (v == null) {
            throw new IllegalArgumentException("\"" + key + "\" is missing");
        }
        if (!type.isInstance(v)) {
            throw new IllegalArgumentException("\"" + key + "\" must be " + what);
        }
        return type.cast(v);
    }

    private static long integer(Object v, String what) {
        if (v instanceof Long l) {
            return l;
        }
        throw new IllegalArgumentException(what + " must be an integer, got " + v);
    }

    private static long number(Map<String, Object> o, String key) {
        return field(o, key, Long.class, "an integer");
    }

    private static String string(Map<String, Object> o, String key) {
        return field(o, key, String.class, "a string");
    }

    private static List<?> list(Map<String, Object> o, String key) {
        return field(o, key, List.class, "an array");
    }
}
