package io.flotilla.cli.local;

import java.io.IOException;
import java.io.PrintStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/** The last lines of a node's log, for the message that says why it stopped. */
final class LogTail {

    static final int LINES = 20;
    private static final int MAX_BYTES = 16 * 1024;

    private LogTail() {}

    /** Prints up to {@value #LINES} last lines of {@code log}, indented; says so when it cannot be read. */
    static void print(Path log, PrintStream out) {
        try {
            for (String line : lastLines(log, LINES)) {
                out.println("    " + line);
            }
        } catch (IOException e) {
            out.println("    (cannot read " + log + ": " + e.getMessage() + ")");
        }
    }

    static List<String> lastLines(Path log, int count) throws IOException {
        byte[] tail;
        try (RandomAccessFile file = new RandomAccessFile(log.toFile(), "r")) {
            long length = file.length();
            int size = (int) Math.min(length, MAX_BYTES);
            tail = new byte[size];
            file.seek(length - size);
            file.readFully(tail);
        }
        List<String> lines = Arrays.asList(new String(tail, StandardCharsets.UTF_8).split("\\R"));
        return lines.subList(Math.max(0, lines.size() - count), lines.size());
    }
}
