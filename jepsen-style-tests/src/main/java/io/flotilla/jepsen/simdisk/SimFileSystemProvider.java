package io.flotilla.jepsen.simdisk;

import java.io.IOException;
import java.net.URI;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.AccessMode;
import java.nio.file.CopyOption;
import java.nio.file.DirectoryStream;
import java.nio.file.FileStore;
import java.nio.file.FileSystem;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.FileAttributeView;
import java.nio.file.attribute.FileTime;
import java.nio.file.spi.FileSystemProvider;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The {@code java.nio.file} entry points of one {@link SimFileSystem}; not installed, reached through its paths. */
final class SimFileSystemProvider extends FileSystemProvider {
    static final String SCHEME = "flotilla-sim";
    private static final FileTime EPOCH = FileTime.fromMillis(0);

    private final SimFileSystem fs;

    SimFileSystemProvider(SimFileSystem fs) {
        this.fs = fs;
    }

    private static String key(Path path) {
        return ((SimPath) path).key();
    }

    @Override
    public String getScheme() {
        return SCHEME;
    }

    @Override
    public FileSystem newFileSystem(URI uri, Map<String, ?> env) {
        throw new UnsupportedOperationException("make a SimFileSystem directly");
    }

    @Override
    public FileSystem getFileSystem(URI uri) {
        throw new UnsupportedOperationException("reach a SimFileSystem through its paths");
    }

    @Override
    public Path getPath(URI uri) {
        throw new UnsupportedOperationException("reach a SimFileSystem through its paths");
    }

    @Override
    public FileChannel newFileChannel(Path path, Set<? extends OpenOption> options, FileAttribute<?>... attrs)
            throws IOException {
        String key = key(path);
        boolean write = options.contains(StandardOpenOption.WRITE) || options.contains(StandardOpenOption.APPEND);
        boolean read = options.contains(StandardOpenOption.READ) || !write;
        if (fs.isDirectory(key)) {
            if (write) {
                throw new IOException(key + " is a directory");
            }
            return new SimFileChannel(fs, null, key, true, false, false);
        }
        SimFile file;
        Object existing = fs.entry(key);
        if (options.contains(StandardOpenOption.CREATE_NEW) && write) {
            file = fs.createFile(key);
        } else if (existing == null && options.contains(StandardOpenOption.CREATE) && write) {
            file = fs.createFile(key);
        } else {
            file = fs.file(key);
        }
        if (options.contains(StandardOpenOption.TRUNCATE_EXISTING) && write) {
            file.truncate(0);
        }
        return new SimFileChannel(fs, file, key, read, write, options.contains(StandardOpenOption.APPEND));
    }

    @Override
    public SeekableByteChannel newByteChannel(Path path, Set<? extends OpenOption> options,
                                              FileAttribute<?>... attrs) throws IOException {
        return newFileChannel(path, options, attrs);
    }

    @Override
    public DirectoryStream<Path> newDirectoryStream(Path dir, DirectoryStream.Filter<? super Path> filter)
            throws IOException {
        List<String> names = fs.children(key(dir));
        return new DirectoryStream<>() {
            @Override
            public Iterator<Path> iterator() {
                return names.stream().map(dir::resolve).filter(p -> {
                    try {
                        return filter.accept(p);
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }).iterator();
            }

            @Override
            public void close() {
                // a snapshot of the names: nothing held
            }
        };
    }

    @Override
    public void createDirectory(Path dir, FileAttribute<?>... attrs) throws IOException {
        fs.createDirectory(key(dir));
    }

    @Override
    public void delete(Path path) throws IOException {
        fs.delete(key(path));
    }

    @Override
    public void copy(Path source, Path target, CopyOption... options) {
        throw new UnsupportedOperationException("the simulated file system does not copy files");
    }

    @Override
    public void move(Path source, Path target, CopyOption... options) throws IOException {
        fs.move(key(source), key(target), Arrays.asList(options).contains(StandardCopyOption.REPLACE_EXISTING)
                || Arrays.asList(options).contains(StandardCopyOption.ATOMIC_MOVE));
    }

    @Override
    public boolean isSameFile(Path path, Path path2) {
        return key(path).equals(key(path2));
    }

    @Override
    public boolean isHidden(Path path) {
        return false;
    }

    @Override
    public FileStore getFileStore(Path path) {
        throw new UnsupportedOperationException("the simulated file system has no file stores");
    }

    @Override
    public void checkAccess(Path path, AccessMode... modes) throws IOException {
        if (fs.entry(key(path)) == null) {
            throw new NoSuchFileException(key(path));
        }
    }

    @Override
    public <V extends FileAttributeView> V getFileAttributeView(Path path, Class<V> type, LinkOption... options) {
        return null;
    }

    @Override
    @SuppressWarnings("unchecked")
    public <A extends BasicFileAttributes> A readAttributes(Path path, Class<A> type, LinkOption... options)
            throws IOException {
        if (type != BasicFileAttributes.class) {
            throw new UnsupportedOperationException("the simulated file system has basic attributes only");
        }
        String key = key(path);
        Object entry = fs.entry(key);
        if (entry == null) {
            throw new NoSuchFileException(key);
        }
        boolean directory = !(entry instanceof SimFile);
        long size = directory ? 0 : ((SimFile) entry).size();
        return (A) new BasicFileAttributes() {
            @Override
            public FileTime lastModifiedTime() {
                return EPOCH;
            }

            @Override
            public FileTime lastAccessTime() {
                return EPOCH;
            }

            @Override
            public FileTime creationTime() {
                return EPOCH;
            }

            @Override
            public boolean isRegularFile() {
                return !directory;
            }

            @Override
            public boolean isDirectory() {
                return directory;
            }

            @Override
            public boolean isSymbolicLink() {
                return false;
            }

            @Override
            public boolean isOther() {
                return false;
            }

            @Override
            public long size() {
                return size;
            }

            @Override
            public Object fileKey() {
                return null;
            }
        };
    }

    @Override
    public Map<String, Object> readAttributes(Path path, String attributes, LinkOption... options) {
        throw new UnsupportedOperationException("the simulated file system has basic attributes only");
    }

    @Override
    public void setAttribute(Path path, String attribute, Object value, LinkOption... options) {
        throw new UnsupportedOperationException("the simulated file system has basic attributes only");
    }
}
