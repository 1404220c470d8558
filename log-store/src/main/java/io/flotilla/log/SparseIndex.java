package io.flotilla.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A sparse index of one segment: entries of (key, byte position of a batch start), both
 * strictly increasing. The offset index keys by base offset, the time index by the largest
 * timestamp seen up to and including that batch.
 *
 * <p>The active segment's index lives on the heap and is written to its file when the
 * segment is sealed or the log closes cleanly; after an unclean stop it is rebuilt from the
 * segment itself, so it never needs an fsync of its own on the append path. A sealed
 * segment's index is memory-mapped read-only, so thousands of partitions cost page cache,
 * not heap. On disk: entries of int64 key + int32 position, big-endian, nothing else.
 *
 * <p>Thread-safety: the single writer appends while fetch threads look up; both go through
 * this object's monitor, which is uncontended in the common case.
 */
final class SparseIndex {
    static final int ENTRY_BYTES = 12;

    private final Path file;
    private ByteBuffer entries;
    private int count;
    private boolean mapped;

    private SparseIndex(Path file, ByteBuffer entries, int count, boolean mapped) {
        this.file = file;
        this.entries = entries;
        this.count = count;
        this.mapped = mapped;
    }

    static SparseIndex empty(Path file) {
        return new SparseIndex(file, ByteBuffer.allocate(64 * ENTRY_BYTES), 0, false);
    }

    /**
     * Loads an index file, checking that it is structurally sound: whole entries, keys and
     * positions strictly increasing, every position inside the segment file.
     *
     * @return the index, or null if the file is missing or fails a check (the caller rebuilds)
     */
    static SparseIndex load(Path file, long segmentFileBytes, boolean sealed) throws IOException {
        if (!Files.exists(file)) {
            return null;
        }
        long size = Files.size(file);
        if (size % ENTRY_BYTES != 0) {
            return null;
        }
        ByteBuffer buf;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            buf = sealed ? mapReadOnly(ch, size) : readAll(ch, size);
        }
        int n = (int) (size / ENTRY_BYTES);
        SparseIndex index = new SparseIndex(file, buf, n, sealed);
        long previousKey = Long.MIN_VALUE;
        int previousPosition = -1;
        for (int i = 0; i < n; i++) {
            long key = index.key(i);
            int position = index.position(i);
            if (key <= previousKey || position <= previousPosition || position >= segmentFileBytes) {
                return null;
            }
            previousKey = key;
            previousPosition = position;
        }
        return index;
    }

    synchronized int count() {
        return count;
    }

    synchronized long key(int i) {
        return entries.getLong(i * ENTRY_BYTES);
    }

    synchronized int position(int i) {
        return entries.getInt(i * ENTRY_BYTES + 8);
    }

    synchronized long lastKey() {
        return count == 0 ? Long.MIN_VALUE : key(count - 1);
    }

    synchronized void append(long key, int position) {
        if (mapped) {
            throw new IllegalStateException("index " + file + " is sealed");
        }
        if (count > 0 && (key <= key(count - 1) || position <= position(count - 1))) {
            throw new IllegalStateException("index " + file + " entries must increase: (" + key + ", " + position
                    + ") after (" + key(count - 1) + ", " + position(count - 1) + ")");
        }
        if ((count + 1) * ENTRY_BYTES > entries.capacity()) {
            ByteBuffer grown = ByteBuffer.allocate(entries.capacity() * 2);
            grown.put(entries.duplicate().clear().limit(count * ENTRY_BYTES));
            entries = grown;
        }
        entries.putLong(count * ENTRY_BYTES, key);
        entries.putInt(count * ENTRY_BYTES + 8, position);
        count++;
    }

    /** Index of the last entry whose key is at most {@code key}, or -1 if none. */
    synchronized int floorByKey(long key) {
        int lo = 0;
        int hi = count - 1;
        int found = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (key(mid) <= key) {
                found = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return found;
    }

    /** Index of the last entry whose key is strictly below {@code key}, or -1 if none. */
    synchronized int lowerByKey(long key) {
        return key == Long.MIN_VALUE ? -1 : floorByKey(key - 1);
    }

    /** Drops every entry pointing at or past {@code position}: the segment was cut there. */
    synchronized void truncateFromPosition(int position) {
        unseal();
        while (count > 0 && position(count - 1) >= position) {
            count--;
        }
    }

    /** Writes the entries to the index file, fsyncs it, and maps it read-only. */
    synchronized void seal() throws IOException {
        writeFile();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            entries = mapReadOnly(ch, (long) count * ENTRY_BYTES);
        }
        mapped = true;
    }

    /**
     * The file's first {@code size} bytes, memory-mapped; read into the heap on a file system
     * that cannot map (the simulation's in-memory one), which changes only where they live.
     */
    private static ByteBuffer mapReadOnly(FileChannel ch, long size) throws IOException {
        try {
            return ch.map(FileChannel.MapMode.READ_ONLY, 0, size);
        } catch (UnsupportedOperationException cannotMap) {
            return readAll(ch, size).limit((int) size).asReadOnlyBuffer();
        }
    }

    /** The file's first {@code size} bytes in a heap buffer with room for 64 entries at least. */
    private static ByteBuffer readAll(FileChannel ch, long size) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate((int) Math.max(size, 64 * ENTRY_BYTES));
        while (buf.position() < size && ch.read(buf) >= 0) {
            // read the whole file
        }
        return buf.clear();
    }

    /** Writes the entries to the index file and fsyncs it; the index stays writable. */
    synchronized void writeFile() throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer view = entries.duplicate().clear().limit(count * ENTRY_BYTES);
            while (view.hasRemaining()) {
                ch.write(view);
            }
            ch.force(true);
        }
        Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    /** Makes a sealed index writable again: its segment became the active one after truncation. */
    private void unseal() {
        if (!mapped) {
            return;
        }
        ByteBuffer heap = ByteBuffer.allocate(Math.max(count, 64) * ENTRY_BYTES);
        heap.put(entries.duplicate().clear().limit(count * ENTRY_BYTES));
        entries = heap;
        mapped = false;
    }

    Path file() {
        return file;
    }
}
