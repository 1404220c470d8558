package io.flotilla.jepsen.simdisk;

import java.io.IOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileStore;
import java.nio.file.FileSystem;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.WatchService;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.nio.file.spi.FileSystemProvider;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.random.RandomGenerator;

/**
 * One simulated node's disk, in memory, behind the {@code java.nio.file} API so that the
 * broker's own storage code runs on it unchanged. File contents live twice, in the page cache
 * and on the disk ({@link SimFile}): a write reaches the disk only at an fsync
 * ({@code FileChannel.force}), and {@link #crash} decides what the disk got of the rest. Names
 * (creating, renaming, deleting files and directories) are durable at once: the broker fsyncs
 * directories after such changes, so this model is only kinder than a real disk there.
 * Listings are in name order, so runs are deterministic. Corruption on the disk
 * ({@link #flipBit}, {@link #cut}) is injected while the node is down.
 *
 * <p>Not thread-safe beyond each file's own monitor: the simulation runs on one thread.
 */
public final class SimFileSystem extends FileSystem {
    /** Marks a directory in {@link #entries}. */
    private static final Object DIRECTORY = new Object();

    private final String name;
    private final SimFileSystemProvider provider = new SimFileSystemProvider(this);
    /** Absolute normalized path to a {@link SimFile} or {@link #DIRECTORY}; the root is "/". */
    private final TreeMap<String, Object> entries = new TreeMap<>();
    private long generation;
    private long fsyncs;

    public SimFileSystem(String name) {
        this.name = name;
        entries.put("/", DIRECTORY);
    }

    String name() {
        return name;
    }

    long generation() {
        return generation;
    }

    /** fsyncs of files since the file system was made. */
    public long fsyncs() {
        return fsyncs;
    }

    void forced(SimFile file) {
        fsyncs++;
        file.force();
    }

    /**
     * The machine stops: every open channel closes, and each file's disk keeps what was forced
     * plus what {@code fate} lets through of its later writes.
     *
     * @return how many unsynced writes or truncations were lost or torn
     */
    public int crash(CrashFate fate, RandomGenerator random) {
        generation++;
        int damaged = 0;
        for (Object e : entries.values()) {
            if (e instanceof SimFile f) {
                damaged += f.crash(fate, random);
            }
        }
        return damaged;
    }

    /** The files (not directories) whose path starts with {@code under}, in name order, with their size on the disk. */
    public Map<Path, Integer> files(Path under) {
        String prefix = ((SimPath) under).key();
        Map<Path, Integer> out = new TreeMap<>();
        for (Map.Entry<String, Object> e : entries.tailMap(prefix, true).entrySet()) {
            if (!e.getKey().startsWith(prefix)) {
                break;
            }
            if (e.getValue() instanceof SimFile f) {
                out.put(getPath(e.getKey()), f.diskSize());
            }
        }
        return out;
    }

    /** Flips one bit of the byte at {@code position} of {@code file} on the disk. */
    public void flipBit(Path file, int position, int bit) throws IOException {
        SimFile f = file(((SimPath) file).key());
        if (position < 0 || position >= f.diskSize()) {
            throw new IllegalArgumentException("position " + position + " is outside " + file + " ("
                    + f.diskSize() + " bytes on the disk)");
        }
        f.flipBit(position, bit);
    }

    /** Cuts {@code file} on the disk to {@code size} bytes. */
    public void cut(Path file, int size) throws IOException {
        file(((SimPath) file).key()).cut(size);
    }

    // ---------------------------------------------------------------- for the provider

    SimFile file(String key) throws IOException {
        Object e = entries.get(key);
        if (e == null) {
            throw new NoSuchFileException(key);
        }
        if (!(e instanceof SimFile f)) {
            throw new IOException(key + " is a directory");
        }
        return f;
    }

    /** The entry at {@code key}: a {@link SimFile}, the directory marker, or null. */
    Object entry(String key) {
        return entries.get(key);
    }

    boolean isDirectory(String key) {
        return entries.get(key) == DIRECTORY;
    }

    SimFile createFile(String key) throws IOException {
        requireParentDirectory(key);
        if (entries.containsKey(key)) {
            throw new FileAlreadyExistsException(key);
        }
        SimFile f = new SimFile();
        entries.put(key, f);
        return f;
    }

    void createDirectory(String key) throws IOException {
        requireParentDirectory(key);
        if (entries.containsKey(key)) {
            throw new FileAlreadyExistsException(key);
        }
        entries.put(key, DIRECTORY);
    }

    void delete(String key) throws IOException {
        Object e = entries.get(key);
        if (e == null) {
            throw new NoSuchFileException(key);
        }
        if (e == DIRECTORY && !children(key).isEmpty()) {
            throw new DirectoryNotEmptyException(key);
        }
        entries.remove(key);
    }

    /** Renames {@code from} (a file or a whole directory) to {@code to}, replacing a file there if {@code replace}. */
    void move(String from, String to, boolean replace) throws IOException {
        Object e = entries.get(from);
        if (e == null) {
            throw new NoSuchFileException(from);
        }
        requireParentDirectory(to);
        Object there = entries.get(to);
        if (there != null && (!replace || there == DIRECTORY)) {
            throw new FileAlreadyExistsException(to);
        }
        List<String> moved = new ArrayList<>();
        for (String k : entries.tailMap(from, true).keySet()) {
            if (k.equals(from) || k.startsWith(from + "/")) {
                moved.add(k);
            } else if (!k.startsWith(from)) {
                break;
            }
        }
        for (String k : moved) {
            entries.put(to + k.substring(from.length()), entries.remove(k));
        }
    }

    /** The names directly inside directory {@code key}, in order. */
    List<String> children(String key) throws IOException {
        if (!isDirectory(key)) {
            throw entries.containsKey(key) ? new NotDirectoryException(key) : new NoSuchFileException(key);
        }
        String prefix = key.equals("/") ? "/" : key + "/";
        List<String> out = new ArrayList<>();
        for (String k : entries.tailMap(prefix, false).keySet()) {
            if (!k.startsWith(prefix)) {
                break;
            }
            if (k.indexOf('/', prefix.length()) < 0) {
                out.add(k.substring(prefix.length()));
            }
        }
        return out;
    }

    private void requireParentDirectory(String key) throws IOException {
        int slash = key.lastIndexOf('/');
        String parent = slash == 0 ? "/" : key.substring(0, slash);
        if (!isDirectory(parent)) {
            throw new NoSuchFileException(parent, null, "no such directory");
        }
    }

    // ---------------------------------------------------------------- FileSystem

    @Override
    public FileSystemProvider provider() {
        return provider;
    }

    @Override
    public void close() {
        // nothing to release: it lives on the heap until dropped
    }

    @Override
    public boolean isOpen() {
        return true;
    }

    @Override
    public boolean isReadOnly() {
        return false;
    }

    @Override
    public String getSeparator() {
        return "/";
    }

    @Override
    public Iterable<Path> getRootDirectories() {
        return List.of(getPath("/"));
    }

    @Override
    public Iterable<FileStore> getFileStores() {
        return List.of();
    }

    @Override
    public Set<String> supportedFileAttributeViews() {
        return Set.of("basic");
    }

    @Override
    public Path getPath(String first, String... more) {
        return SimPath.parse(this, first, more);
    }

    @Override
    public PathMatcher getPathMatcher(String syntaxAndPattern) {
        throw new UnsupportedOperationException("the simulated file system has no path matchers");
    }

    @Override
    public UserPrincipalLookupService getUserPrincipalLookupService() {
        throw new UnsupportedOperationException("the simulated file system has no users");
    }

    @Override
    public WatchService newWatchService() {
        throw new UnsupportedOperationException("the simulated file system has no watch service");
    }

    @Override
    public String toString() {
        return "sim:" + name;
    }
}
