package io.flotilla.cli;

import com.google.protobuf.ByteString;
import io.flotilla.api.v1.FetchedRecord;
import io.flotilla.api.v1.Header;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * How {@code consume --format} prints a record: text with placeholders, compiled once.
 * {@code %v} value, {@code %k} key, {@code %o} offset, {@code %p} partition, {@code %t}
 * timestamp (ms since the epoch), {@code %h} headers as {@code key=value} joined by commas,
 * {@code %%} a percent sign; {@code \t} and {@code \n} a tab and a newline. Bytes are printed as
 * they are; an absent key or value prints as {@code null}. Each record ends with a newline.
 */
final class RecordFormat {

    private static final byte[] NULL = "null".getBytes(StandardCharsets.UTF_8);

    private enum Field { TEXT, VALUE, KEY, OFFSET, PARTITION, TIMESTAMP, HEADERS }

    private record Part(Field field, byte[] text) {}

    private final List<Part> parts;

    private RecordFormat(List<Part> parts) {
        this.parts = parts;
    }

    /** @throws IllegalArgumentException naming the placeholder it does not know */
    static RecordFormat parse(String format) {
        List<Part> parts = new ArrayList<>();
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < format.length(); i++) {
            char c = format.charAt(i);
            if ((c != '%' && c != '\\') || i + 1 == format.length()) {
                if (c == '%') {
                    throw new IllegalArgumentException("'%' at the end of the format: write %% for a percent sign");
                }
                text.append(c);
                continue;
            }
            char next = format.charAt(++i);
            if (c == '\\') {
                text.append(next == 't' ? "\t" : next == 'n' ? "\n" : "\\" + next);
                continue;
            }
            Field field = switch (next) {
                case 'v' -> Field.VALUE;
                case 'k' -> Field.KEY;
                case 'o' -> Field.OFFSET;
                case 'p' -> Field.PARTITION;
                case 't' -> Field.TIMESTAMP;
                case 'h' -> Field.HEADERS;
                case '%' -> Field.TEXT;
                default -> throw new IllegalArgumentException("unknown placeholder '%" + next
                        + "': use %v value, %k key, %o offset, %p partition, %t timestamp, %h headers, %% a percent sign");
            };
            if (field == Field.TEXT) {
                text.append('%');
                continue;
            }
            flush(text, parts);
            parts.add(new Part(field, null));
        }
        text.append('\n');
        flush(text, parts);
        return new RecordFormat(parts);
    }

    private static void flush(StringBuilder text, List<Part> parts) {
        if (text.length() > 0) {
            parts.add(new Part(Field.TEXT, text.toString().getBytes(StandardCharsets.UTF_8)));
            text.setLength(0);
        }
    }

    void print(int partition, FetchedRecord r, OutputStream out) throws IOException {
        for (Part part : parts) {
            switch (part.field) {
                case TEXT -> out.write(part.text);
                case VALUE -> bytes(r.hasValue() ? r.getValue() : null, out);
                case KEY -> bytes(r.hasKey() ? r.getKey() : null, out);
                case OFFSET -> ascii(Long.toString(r.getOffset()), out);
                case PARTITION -> ascii(Integer.toString(partition), out);
                case TIMESTAMP -> ascii(Long.toString(r.getTimestampMs()), out);
                case HEADERS -> headers(r.getHeadersList(), out);
                default -> throw new IllegalStateException(part.field.name());
            }
        }
    }

    private static void headers(List<Header> headers, OutputStream out) throws IOException {
        for (int i = 0; i < headers.size(); i++) {
            if (i > 0) {
                out.write(',');
            }
            out.write(headers.get(i).getKey().getBytes(StandardCharsets.UTF_8));
            out.write('=');
            bytes(headers.get(i).hasValue() ? headers.get(i).getValue() : null, out);
        }
    }

    private static void bytes(ByteString b, OutputStream out) throws IOException {
        if (b == null) {
            out.write(NULL);
        } else {
            b.writeTo(out);
        }
    }

    private static void ascii(String s, OutputStream out) throws IOException {
        out.write(s.getBytes(StandardCharsets.US_ASCII));
    }
}
