package io.flotilla.broker.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/** Small files replaced atomically and durably: what survives a crash is the old content or the new, whole. */
final class DurableFiles {
    private DurableFiles() {
    }

    /**
     * Replaces {@code file} with {@code content}: written to a temporary sibling and fsynced,
     * renamed over the file, then the directory fsynced so the rename itself survives.
     */
    static void replace(Path file, ByteBuffer content) throws IOException {
        Path tmp = temporary(file);
        try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            for (long at = 0; content.hasRemaining(); ) {
                at += out.write(content, at);
            }
            out.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        syncDirectory(file.getParent());
    }

    /** The temporary a {@link #replace} cut short by a crash leaves behind. */
    static Path temporary(Path file) {
        return file.resolveSibling(file.getFileName() + ".tmp");
    }

    /** Makes the creations, renames and deletions of entries of {@code dir} durable. */
    static void syncDirectory(Path dir) throws IOException {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }
}
