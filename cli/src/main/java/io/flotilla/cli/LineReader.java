package io.flotilla.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * Splits a byte stream into lines without decoding it: a line ends at '\n' (a '\r' before it is
 * dropped), and a last line without '\n' counts. Tells when the input pauses (nothing more can
 * be read without blocking), so a producer can send what it has while a person types.
 */
final class LineReader {

    /** Gets each line; the array is reused after the call returns. */
    @FunctionalInterface
    interface Lines {
        void line(byte[] buffer, int offset, int length) throws InterruptedException;
    }

    /** Called before a read that may block. */
    @FunctionalInterface
    interface Pause {
        void paused() throws InterruptedException;
    }

    private static final int INITIAL_BUFFER_BYTES = 64 * 1024;

    private LineReader() {}

    static void read(InputStream in, Lines lines, Pause pause) throws IOException, InterruptedException {
        byte[] buf = new byte[INITIAL_BUFFER_BYTES];
        int end = 0;
        int scanned = 0; // buf[0, scanned) holds no '\n'
        while (true) {
            int start = 0;
            for (int i = scanned; i < end; i++) {
                if (buf[i] == '\n') {
                    deliver(lines, buf, start, i);
                    start = i + 1;
                }
            }
            System.arraycopy(buf, start, buf, 0, end - start);
            end -= start;
            scanned = end;
            if (end == buf.length) {
                buf = Arrays.copyOf(buf, buf.length * 2);
            }
            if (available(in) == 0) {
                pause.paused();
            }
            int n = in.read(buf, end, buf.length - end);
            if (n < 0) {
                if (end > 0) {
                    deliver(lines, buf, 0, end);
                }
                return;
            }
            end += n;
        }
    }

    private static void deliver(Lines lines, byte[] buf, int start, int end) throws InterruptedException {
        int last = end > start && buf[end - 1] == '\r' ? end - 1 : end;
        lines.line(buf, start, last - start);
    }

    private static int available(InputStream in) {
        try {
            return in.available();
        } catch (IOException e) {
            return 0;
        }
    }
}
