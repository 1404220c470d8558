package io.flotilla.jepsen.simdisk;

/**
 * What a crash does to the writes a file received since its last fsync.
 *
 * @param keepProbability the chance each write or truncation reached the disk anyway
 * @param tears           whether a write that reached it may have reached it only in part
 */
public record CrashFate(double keepProbability, boolean tears) {
    /** Every unsynced change is lost: the disk holds exactly what was forced. */
    public static final CrashFate LOSE_UNSYNCED = new CrashFate(0, false);
    /** Each unsynced change survives or not by a coin flip, and some are torn. */
    public static final CrashFate TORN = new CrashFate(0.5, true);
    /** Everything the page cache held reached the disk (the power held long enough). */
    public static final CrashFate KEEP_ALL = new CrashFate(1, false);
}
