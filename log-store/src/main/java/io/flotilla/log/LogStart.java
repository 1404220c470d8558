package io.flotilla.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Where a log begins once a prefix was deleted: the first readable offset and the term of the
 * entry before it, kept in the text file {@code log-start-offset} ("offset term"). Written
 * atomically (temp file, fsync, rename, directory fsync) before any segment below the new start
 * is deleted, so a crash part-way only leaves files the next open deletes.
 *
 * @param offset          the first readable offset; -1 when no prefix was ever deleted
 * @param termBeforeStart the term of the entry before {@code offset}; 0 when unknown
 */
record LogStart(long offset, long termBeforeStart) {
    static final String FILE = "log-start-offset";
    static final LogStart NONE = new LogStart(-1, 0);

    static LogStart read(Path dir) throws IOException {
        Path file = dir.resolve(FILE);
        if (!Files.exists(file)) {
            return NONE;
        }
        String text = Files.readString(file, StandardCharsets.US_ASCII).trim();
        String[] parts = text.split(" ");
        try {
            if (parts.length == 2) {
                return new LogStart(Long.parseLong(parts[0]), Long.parseLong(parts[1]));
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new CorruptLogException(file, 0, "log start checkpoint holds '" + text
                + "'; expected '<start offset> <term before it>'");
    }

    void write(Path dir) throws IOException {
        Path tmp = dir.resolve(FILE + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer text = ByteBuffer.wrap((offset + " " + termBeforeStart + "\n").getBytes(StandardCharsets.US_ASCII));
            while (text.hasRemaining()) {
                ch.write(text);
            }
            ch.force(true);
        }
        Files.move(tmp, dir.resolve(FILE), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        syncDirectory(dir);
    }

    /** Makes file creations, deletions and renames in {@code dir} durable. */
    static void syncDirectory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }
}
