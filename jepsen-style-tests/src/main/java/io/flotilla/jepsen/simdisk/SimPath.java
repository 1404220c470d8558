package io.flotilla.jepsen.simdisk;

import java.net.URI;
import java.nio.file.FileSystem;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.ProviderMismatchException;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.ArrayList;
import java.util.List;

/** A path of a {@link SimFileSystem}: '/'-separated names, absolute or relative to the root. */
final class SimPath implements Path {
    private final SimFileSystem fs;
    private final boolean absolute;
    private final List<String> names;

    SimPath(SimFileSystem fs, boolean absolute, List<String> names) {
        this.fs = fs;
        this.absolute = absolute;
        this.names = List.copyOf(names);
    }

    static SimPath parse(SimFileSystem fs, String first, String... more) {
        StringBuilder all = new StringBuilder(first);
        for (String m : more) {
            all.append('/').append(m);
        }
        String text = all.toString();
        List<String> names = new ArrayList<>();
        for (String n : text.split("/")) {
            if (!n.isEmpty()) {
                names.add(n);
            }
        }
        return new SimPath(fs, text.startsWith("/"), names);
    }

    /** The absolute, normalized form, as the file system's key. */
    String key() {
        return "/" + String.join("/", ((SimPath) toAbsolutePath().normalize()).names);
    }

    @Override
    public FileSystem getFileSystem() {
        return fs;
    }

    @Override
    public boolean isAbsolute() {
        return absolute;
    }

    @Override
    public Path getRoot() {
        return absolute ? new SimPath(fs, true, List.of()) : null;
    }

    @Override
    public Path getFileName() {
        return names.isEmpty() ? null : new SimPath(fs, false, List.of(names.get(names.size() - 1)));
    }

    @Override
    public Path getParent() {
        if (names.isEmpty() || (!absolute && names.size() == 1)) {
            return null;
        }
        return new SimPath(fs, absolute, names.subList(0, names.size() - 1));
    }

    @Override
    public int getNameCount() {
        return names.size();
    }

    @Override
    public Path getName(int index) {
        return new SimPath(fs, false, List.of(names.get(index)));
    }

    @Override
    public Path subpath(int beginIndex, int endIndex) {
        return new SimPath(fs, false, names.subList(beginIndex, endIndex));
    }

    @Override
    public boolean startsWith(Path other) {
        SimPath o = sim(other);
        return o.absolute == absolute && o.names.size() <= names.size()
                && names.subList(0, o.names.size()).equals(o.names);
    }

    @Override
    public boolean endsWith(Path other) {
        SimPath o = sim(other);
        if (o.absolute) {
            return equals(o);
        }
        return o.names.size() <= names.size() && names.subList(names.size() - o.names.size(), names.size())
                .equals(o.names);
    }

    @Override
    public Path normalize() {
        List<String> out = new ArrayList<>();
        for (String n : names) {
            if (n.equals("..") && !out.isEmpty() && !out.get(out.size() - 1).equals("..")) {
                out.remove(out.size() - 1);
            } else if (!n.equals(".") && !(n.equals("..") && absolute)) {
                out.add(n);
            }
        }
        return new SimPath(fs, absolute, out);
    }

    @Override
    public Path resolve(Path other) {
        SimPath o = sim(other);
        if (o.absolute) {
            return o;
        }
        List<String> all = new ArrayList<>(names);
        all.addAll(o.names);
        return new SimPath(fs, absolute, all);
    }

    @Override
    public Path relativize(Path other) {
        SimPath o = sim(other);
        if (o.absolute != absolute || !o.startsWith(this)) {
            throw new IllegalArgumentException(other + " is not under " + this);
        }
        return new SimPath(fs, false, o.names.subList(names.size(), o.names.size()));
    }

    @Override
    public URI toUri() {
        return URI.create(SimFileSystemProvider.SCHEME + "://" + fs.name() + key());
    }

    @Override
    public Path toAbsolutePath() {
        return absolute ? this : new SimPath(fs, true, names);
    }

    @Override
    public Path toRealPath(LinkOption... options) {
        return toAbsolutePath().normalize();
    }

    @Override
    public WatchKey register(WatchService watcher, WatchEvent.Kind<?>[] events, WatchEvent.Modifier... modifiers) {
        throw new UnsupportedOperationException("the simulated file system has no watch service");
    }

    @Override
    public int compareTo(Path other) {
        return toString().compareTo(other.toString());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SimPath p && p.fs == fs && p.absolute == absolute && p.names.equals(names);
    }

    @Override
    public int hashCode() {
        return names.hashCode() * 31 + (absolute ? 1 : 0);
    }

    @Override
    public String toString() {
        return (absolute ? "/" : "") + String.join("/", names);
    }

    private SimPath sim(Path other) {
        if (!(other instanceof SimPath p) || p.fs != fs) {
            throw new ProviderMismatchException(other + " is not a path of " + fs.name());
        }
        return p;
    }
}
