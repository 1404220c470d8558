package io.flotilla.raft.driver;

/**
 * Open-addressing map from {@code long} to non-null values: the loop's group table. Every
 * inbound message looks its group up here, and a {@code HashMap<Long, V>} would box the key
 * each time. Linear probing, deletion by backward shift (no tombstones), at most half full.
 * Slots come from the mixed key's high bits; {@link Hashing#loopOf} uses its remainder, so the
 * groups of one loop still spread over all slots. Not thread-safe.
 */
final class LongMap<V> {
    private long[] keys = new long[16];
    private Object[] values = new Object[16];
    private int shift = 64 - 4;
    private int size;

    int size() {
        return size;
    }

    V get(long key) {
        int mask = values.length - 1;
        for (int i = slot(key); values[i] != null; i = (i + 1) & mask) {
            if (keys[i] == key) {
                return value(i);
            }
        }
        return null;
    }

    /** Maps {@code key} to {@code value}; returns the value it replaced, or null. */
    V put(long key, V value) {
        if (value == null) {
            throw new IllegalArgumentException("null values are not stored");
        }
        int mask = values.length - 1;
        int i = slot(key);
        for (; values[i] != null; i = (i + 1) & mask) {
            if (keys[i] == key) {
                V old = value(i);
                values[i] = value;
                return old;
            }
        }
        keys[i] = key;
        values[i] = value;
        if (++size * 2 > values.length) {
            grow();
        }
        return null;
    }

    /** Removes {@code key}; returns its value, or null if it was absent. */
    V remove(long key) {
        int mask = values.length - 1;
        int i = slot(key);
        while (values[i] != null && keys[i] != key) {
            i = (i + 1) & mask;
        }
        if (values[i] == null) {
            return null;
        }
        V old = value(i);
        size--;
        // Close the gap: move back every later entry of the run that may not sit past it.
        int gap = i;
        for (int j = (i + 1) & mask; values[j] != null; j = (j + 1) & mask) {
            int home = slot(keys[j]);
            if (((j - home) & mask) >= ((j - gap) & mask)) {
                keys[gap] = keys[j];
                values[gap] = values[j];
                gap = j;
            }
        }
        values[gap] = null;
        return old;
    }

    /** Slots to walk with {@link #valueAt}, for visiting every value. */
    int slots() {
        return values.length;
    }

    /** The value in {@code slot}, or null if the slot is empty. */
    V valueAt(int slot) {
        return value(slot);
    }

    private int slot(long key) {
        return (int) (Hashing.mix64(key) >>> shift);
    }

    @SuppressWarnings("unchecked")
    private V value(int slot) {
        return (V) values[slot];
    }

    private void grow() {
        long[] oldKeys = keys;
        Object[] oldValues = values;
        keys = new long[oldKeys.length * 2];
        values = new Object[oldValues.length * 2];
        shift--;
        int mask = values.length - 1;
        for (int j = 0; j < oldValues.length; j++) {
            if (oldValues[j] != null) {
                int i = slot(oldKeys[j]);
                while (values[i] != null) {
                    i = (i + 1) & mask;
                }
                keys[i] = oldKeys[j];
                values[i] = oldValues[j];
            }
        }
    }
}
