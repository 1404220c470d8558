package io.flotilla.log;

import io.flotilla.log.TestBatches.TestRecord;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/**
 * The simplest correct partition log: a list of batches in memory. The property test holds the
 * real {@link PartitionLog} to it after every operation.
 */
final class LogModel {
    record Batch(long baseOffset, long term, List<TestRecord> records, byte[] bytes) {
        long nextOffset() {
            return baseOffset + records.size();
        }
    }

    final List<Batch> batches = new ArrayList<>();
    long start;
    long termBeforeStart;

    long end() {
        return batches.isEmpty() ? start : batches.get(batches.size() - 1).nextOffset();
    }

    long lastTerm() {
        return end() == start ? termBeforeStart : batches.get(batches.size() - 1).term();
    }

    void append(Batch batch) {
        batches.add(batch);
    }

    /** Index of the batch holding {@code offset}, or -1. */
    int batchHolding(long offset) {
        for (int i = 0; i < batches.size(); i++) {
            Batch b = batches.get(i);
            if (offset >= b.baseOffset() && offset < b.nextOffset()) {
                return i;
            }
        }
        return -1;
    }

    boolean isBoundary(long offset) {
        return offset == end() || batches.stream().anyMatch(b -> b.baseOffset() == offset);
    }

    void truncateSuffix(long offset) {
        batches.removeIf(b -> b.baseOffset() >= offset);
    }

    void deletePrefix(long newStart) {
        if (newStart > start) {
            termBeforeStart = batches.get(batchHolding(newStart - 1)).term();
            start = newStart;
            batches.removeIf(b -> b.nextOffset() <= newStart);
        }
    }

    /** A crash lost batch {@code i} and everything after it. */
    void dropFrom(int i) {
        batches.subList(i, batches.size()).clear();
        if (end() < start) {
            // The log reopens empty at its recorded start: nothing valid is left below it.
            batches.clear();
        }
    }

    OptionalLong offsetForTimestamp(long timestamp) {
        for (Batch b : batches) {
            for (int i = 0; i < b.records().size(); i++) {
                long offset = b.baseOffset() + i;
                if (offset >= start && b.records().get(i).timestamp() >= timestamp) {
                    return OptionalLong.of(offset);
                }
            }
        }
        return OptionalLong.empty();
    }
}
