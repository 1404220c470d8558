package io.flotilla.jepsen.checker;

import io.flotilla.jepsen.history.Message;

import java.util.Arrays;
import java.util.List;

/**
 * One node's final read of one partition, as parallel arrays sorted by offset (a long log times
 * the nodes is the checker's largest state, so no object per message).
 */
final class NodeLog {
    final int node;
    /** The line of the first OK final read of this node and partition. */
    final long line;
    private long[] offsets = new long[16];
    private long[] values = new long[16];
    private int size;
    private boolean sorted = true;

    NodeLog(int node, long line) {
        this.node = node;
        this.line = line;
    }

    void add(List<Message> messages) {
        for (Message m : messages) {
            if (size == offsets.length) {
                offsets = Arrays.copyOf(offsets, size * 2);
                values = Arrays.copyOf(values, size * 2);
            }
            sorted &= size == 0 || offsets[size - 1] <= m.offset();
            offsets[size] = m.offset();
            values[size] = m.value();
            size++;
        }
    }

    /** Sorts by offset once all pages are in (pages may arrive out of order). */
    void seal() {
        if (sorted) {
            return;
        }
        Integer[] order = new Integer[size];
        Arrays.setAll(order, i -> i);
        Arrays.sort(order, (a, b) -> Long.compare(offsets[a], offsets[b]));
        long[] o = new long[size];
        long[] v = new long[size];
        for (int i = 0; i < size; i++) {
            o[i] = offsets[order[i]];
            v[i] = values[order[i]];
        }
        offsets = o;
        values = v;
        sorted = true;
    }

    int size() {
        return size;
    }

    long offset(int i) {
        return offsets[i];
    }

    long value(int i) {
        return values[i];
    }

    /** The last offset held, or -1 if none. */
    long end() {
        return size == 0 ? -1 : offsets[size - 1];
    }
}
