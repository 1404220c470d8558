package io.flotilla.log;

import java.nio.file.Path;

/**
 * Damage in a log that no torn write explains, as {@link PartitionLog#openSalvaging} finds it:
 * the first bad batch (or the first missing one), and what the disk still shows of the log
 * that reached past it.
 *
 * @param file            the segment file holding the first bad batch, or that should have held it
 * @param position        the bad batch's byte position in {@code file}
 * @param firstLostOffset the offset the bad batch holds or should hold: the log keeps every offset below it
 * @param evidencedEnd    how far the log reached before the damage, as far as the disk shows: the
 *                        largest of the recovery point (every offset below it was fsynced), the
 *                        base offsets of the later segment files, and the batch headers still
 *                        readable after the damage; at least {@code firstLostOffset}
 * @param quarantine      the directory the bytes from the damage on are moved into, kept for the operator
 * @param detail          what is wrong with the bytes
 */
public record LogDamage(Path file, long position, long firstLostOffset, long evidencedEnd, Path quarantine,
                        String detail) {
}
