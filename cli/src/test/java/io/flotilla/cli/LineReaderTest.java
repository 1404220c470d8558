package io.flotilla.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LineReaderTest {

    @Test
    void splitsAtNewlinesDroppingCarriageReturnsAndKeepingEmptyAndUnterminatedLines() throws Exception {
        assertEquals(List.of("a", "", "b", "c"), lines("a\n\nb\r\nc", 100));
    }

    @Test
    void aTrailingNewlineEndsTheLastLineWithoutStartingAnother() throws Exception {
        assertEquals(List.of("a", "b"), lines("a\nb\n", 100));
        assertEquals(List.of(), lines("", 100));
    }

    @Test
    void linesLongerThanTheBufferAndSplitAcrossReadsArriveWhole() throws Exception {
        String longLine = "x".repeat(200_000);
        assertEquals(List.of("first", longLine, "last"), lines("first\n" + longLine + "\nlast\n", 7));
    }

    @Test
    void reportsAPauseWhenNothingMoreCanBeReadWithoutBlocking() throws Exception {
        List<String> events = new ArrayList<>();
        // Two chunks: available() is 0 at the start and between them.
        InputStream in = new ChunkedInput(List.of("a\nb\n", "c\n"));

        LineReader.read(in, (buf, off, len) -> events.add(new String(buf, off, len, StandardCharsets.UTF_8)),
                () -> events.add("<pause>"));

        assertEquals(List.of("<pause>", "a", "b", "<pause>", "c", "<pause>"), events);
    }

    private static List<String> lines(String input, int readSize) throws Exception {
        List<String> out = new ArrayList<>();
        InputStream in = new ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8)) {
            @Override
            public synchronized int read(byte[] b, int off, int len) {
                return super.read(b, off, Math.min(len, readSize));
            }
        };
        LineReader.read(in, (buf, off, len) -> out.add(new String(buf, off, len, StandardCharsets.UTF_8)), () -> { });
        return out;
    }

    /** Input that arrives in chunks, with nothing available before each. */
    private static final class ChunkedInput extends InputStream {
        private final List<byte[]> chunks = new ArrayList<>();

        ChunkedInput(List<String> chunks) {
            chunks.forEach(c -> this.chunks.add(c.getBytes(StandardCharsets.UTF_8)));
        }

        @Override
        public int available() {
            return 0;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (chunks.isEmpty()) {
                return -1;
            }
            byte[] next = chunks.remove(0);
            System.arraycopy(next, 0, b, off, next.length);
            return next.length;
        }

        @Override
        public int read() {
            throw new UnsupportedOperationException();
        }
    }
}
