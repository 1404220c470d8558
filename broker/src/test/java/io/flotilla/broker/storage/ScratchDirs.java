package io.flotilla.broker.storage;

import org.junit.jupiter.api.extension.AnnotatedElementContext;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.io.TempDirFactory;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Temporary directories on tmpfs when the machine has one ({@code @TempDir(factory = ScratchDirs.class)}):
 * these tests check what storage answers, not how long the disk takes, and an fsync on a real
 * disk here costs over a millisecond.
 */
public final class ScratchDirs implements TempDirFactory {
    @Override
    public Path createTempDirectory(AnnotatedElementContext elementContext, ExtensionContext extensionContext)
            throws Exception {
        Path shm = Path.of("/dev/shm");
        if (Files.isDirectory(shm) && Files.isWritable(shm)) {
            return Files.createTempDirectory(shm, "flotilla-storage-");
        }
        return Files.createTempDirectory("flotilla-storage-");
    }
}
