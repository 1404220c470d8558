package io.flotilla.broker.storage;

import java.nio.file.Path;

/**
 * Damage found in one group's log on this node, and what became of it.
 *
 * @param groupId         the Raft group
 * @param file            the segment file holding the first bad batch (or that should have held it)
 * @param position        the bad batch's byte position in {@code file}
 * @param firstLostOffset the log was cut before this offset
 * @param recoveringTo    the member votes again once it holds its log up to this end again
 * @param quarantine      where the bytes cut away were kept
 * @param detail          what was wrong with the bytes
 * @param detectedAtMs    wall-clock time it was found
 * @param recoveredAtMs   wall-clock time the member held what it lost again; -1 while it recovers
 */
public record StorageDamage(long groupId, Path file, long position, long firstLostOffset, long recoveringTo,
                            Path quarantine, String detail, long detectedAtMs, long recoveredAtMs) {
    public boolean recovered() {
        return recoveredAtMs >= 0;
    }
}
