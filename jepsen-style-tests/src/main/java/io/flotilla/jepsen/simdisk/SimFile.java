package io.flotilla.jepsen.simdisk;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * One file's bytes as the page cache holds them and as the disk holds them. Writes and
 * truncations change the cache at once and reach the disk at the next {@link #force}; until then
 * they are kept, in order, so that a crash can decide which of them the disk got.
 */
final class SimFile {
    /** A change not yet forced: a write of {@code bytes} at {@code position}, or a truncation to {@code position}. */
    private record Pending(long position, byte[] bytes) {
        boolean truncation() {
            return bytes == null;
        }
    }

    private byte[] cache = new byte[0];
    private int size;
    private byte[] disk = new byte[0];
    private final List<Pending> pending = new ArrayList<>();

    synchronized int size() {
        return size;
    }

    /** Reads from {@code position} into {@code dst}'s remaining space; -1 at or past the end. */
    synchronized int read(long position, java.nio.ByteBuffer dst) {
        if (position >= size) {
            return -1;
        }
        int n = (int) Math.min(dst.remaining(), size - position);
        dst.put(cache, (int) position, n);
        return n;
    }

    synchronized void write(long position, byte[] bytes) {
        int end = Math.toIntExact(position + bytes.length);
        if (end > cache.length) {
            cache = Arrays.copyOf(cache, Math.max(end, cache.length * 2));
        }
        System.arraycopy(bytes, 0, cache, (int) position, bytes.length);
        size = Math.max(size, end);
        pending.add(new Pending(position, bytes));
    }

    synchronized void truncate(long newSize) {
        if (newSize >= size) {
            return;
        }
        Arrays.fill(cache, (int) newSize, size, (byte) 0);
        size = (int) newSize;
        pending.add(new Pending(newSize, null));
    }

    /** fsync: the disk holds what the cache does. */
    synchronized void force() {
        disk = Arrays.copyOf(cache, size);
        pending.clear();
    }

    /** Whether writes or truncations since the last {@link #force} are waiting for one. */
    synchronized boolean dirty() {
        return !pending.isEmpty();
    }

    /**
     * The machine stops: the disk keeps what was forced plus what {@code fate} lets through of
     * the changes since, each whole, in part (a torn write: a prefix of it) or not at all, as
     * pages reach a disk in any order; the cache becomes what the disk holds.
     *
     * @return how many pending changes were lost or torn
     */
    synchronized int crash(CrashFate fate, RandomGenerator random) {
        byte[] kept = disk;
        int damaged = 0;
        for (Pending p : pending) {
            double keep = fate.keepProbability();
            if (keep < 1 && random.nextDouble() >= keep) {
                damaged++;
                continue;
            }
            if (p.truncation()) {
                kept = Arrays.copyOf(kept, (int) Math.min(kept.length, p.position()));
                continue;
            }
            byte[] bytes = p.bytes();
            if (fate.tears() && bytes.length > 1 && random.nextInt(4) == 0) {
                bytes = Arrays.copyOf(bytes, 1 + random.nextInt(bytes.length - 1));
                damaged++;
            }
            int end = (int) p.position() + bytes.length;
            if (end > kept.length) {
                kept = Arrays.copyOf(kept, end);
            }
            System.arraycopy(bytes, 0, kept, (int) p.position(), bytes.length);
        }
        pending.clear();
        disk = kept;
        cache = Arrays.copyOf(kept, kept.length);
        size = kept.length;
        return damaged;
    }

    /** Flips bit {@code bit} of the byte at {@code position} on the disk (and in the cache, which a stopped node does not have). */
    synchronized void flipBit(int position, int bit) {
        disk[position] ^= (byte) (1 << bit);
        cache[position] = disk[position];
    }

    /** Cuts the file on the disk (and in the cache) to {@code newSize} bytes. */
    synchronized void cut(int newSize) {
        disk = Arrays.copyOf(disk, Math.min(newSize, disk.length));
        cache = Arrays.copyOf(disk, disk.length);
        size = disk.length;
        pending.clear();
    }

    synchronized int diskSize() {
        return disk.length;
    }
}
