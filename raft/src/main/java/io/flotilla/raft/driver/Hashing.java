package io.flotilla.raft.driver;

/** The one 64-bit mixer of this package (MurmurHash3's finalizer): ids with patterns spread evenly. */
final class Hashing {
    private Hashing() {
    }

    static long mix64(long x) {
        x ^= x >>> 33;
        x *= 0xff51afd7ed558ccdL;
        x ^= x >>> 33;
        x *= 0xc4ceb9fe1a85ec53L;
        return x ^ (x >>> 33);
    }

    /**
     * The loop that owns a group: a deterministic function of the id, so a group's messages,
     * ticks and commands all meet on one thread.
     */
    static int loopOf(long groupId, int loops) {
        return (int) Long.remainderUnsigned(mix64(groupId), loops);
    }
}
