/**
 * A simulated disk behind {@code java.nio.file}: files with a page cache and a disk, fsync by
 * {@code FileChannel.force}, crashes that lose, keep or tear unsynced writes, and injected
 * corruption, so that the broker's storage runs on it unchanged.
 */
package io.flotilla.jepsen.simdisk;
