package io.flotilla.jepsen.simdisk;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.NonWritableChannelException;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;

/**
 * A channel on a {@link SimFile} (null for a directory, which can only be forced, as a directory
 * fsync does). {@link #force} makes the file's writes durable; a crash of the file system closes
 * every channel opened before it, so a node that crashed can never write again through them.
 */
final class SimFileChannel extends FileChannel {
    private final SimFileSystem fs;
    private final SimFile file;
    private final String name;
    private final boolean readable;
    private final boolean writable;
    private final boolean append;
    private final long generation;
    private long position;

    SimFileChannel(SimFileSystem fs, SimFile file, String name, boolean readable, boolean writable, boolean append) {
        this.fs = fs;
        this.file = file;
        this.name = name;
        this.readable = readable;
        this.writable = writable;
        this.append = append;
        this.generation = fs.generation();
    }

    private SimFile open() throws IOException {
        if (!isOpen() || fs.generation() != generation) {
            throw new ClosedChannelException();
        }
        if (file == null) {
            throw new IOException(name + " is a directory");
        }
        return file;
    }

    private SimFile forReading() throws IOException {
        SimFile f = open();
        if (!readable) {
            throw new java.nio.channels.NonReadableChannelException();
        }
        return f;
    }

    private SimFile forWriting() throws IOException {
        SimFile f = open();
        if (!writable) {
            throw new NonWritableChannelException();
        }
        return f;
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        int n = read(dst, position);
        if (n > 0) {
            position += n;
        }
        return n;
    }

    @Override
    public int read(ByteBuffer dst, long at) throws IOException {
        SimFile f = forReading();
        return dst.hasRemaining() ? f.read(at, dst) : 0;
    }

    @Override
    public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
        long total = 0;
        for (int i = offset; i < offset + length; i++) {
            int n = read(dsts[i]);
            if (n < 0) {
                return total == 0 ? -1 : total;
            }
            total += n;
            if (dsts[i].hasRemaining()) {
                break;
            }
        }
        return total;
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        if (append) {
            position = forWriting().size();
        }
        int n = write(src, position);
        position += n;
        return n;
    }

    @Override
    public int write(ByteBuffer src, long at) throws IOException {
        SimFile f = forWriting();
        byte[] bytes = new byte[src.remaining()];
        src.get(bytes);
        f.write(at, bytes);
        return bytes.length;
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        long total = 0;
        for (int i = offset; i < offset + length; i++) {
            total += write(srcs[i]);
        }
        return total;
    }

    @Override
    public long position() throws IOException {
        open();
        return position;
    }

    @Override
    public FileChannel position(long newPosition) throws IOException {
        open();
        position = newPosition;
        return this;
    }

    @Override
    public long size() throws IOException {
        return open().size();
    }

    @Override
    public FileChannel truncate(long size) throws IOException {
        forWriting().truncate(size);
        position = Math.min(position, size);
        return this;
    }

    @Override
    public void force(boolean metaData) throws IOException {
        if (!isOpen() || fs.generation() != generation) {
            throw new ClosedChannelException();
        }
        if (file != null) {
            fs.forced(file);
        }
    }

    @Override
    public long transferTo(long at, long count, WritableByteChannel target) throws IOException {
        SimFile f = forReading();
        ByteBuffer out = ByteBuffer.allocate((int) Math.min(count, Math.max(0, f.size() - at)));
        f.read(at, out);
        out.flip();
        int n = out.remaining();
        while (out.hasRemaining()) {
            target.write(out);
        }
        return n;
    }

    @Override
    public long transferFrom(ReadableByteChannel src, long at, long count) throws IOException {
        ByteBuffer in = ByteBuffer.allocate((int) count);
        while (in.hasRemaining() && src.read(in) >= 0) {
            // read what the source has, up to count
        }
        return write(in.flip(), at);
    }

    /** Mapping needs the platform's files: {@link io.flotilla.log} reads into the heap instead. */
    @Override
    public MappedByteBuffer map(MapMode mode, long at, long size) {
        throw new UnsupportedOperationException("the simulated file system cannot map files");
    }

    @Override
    public FileLock lock(long at, long size, boolean shared) {
        throw new UnsupportedOperationException("the simulated file system has no locks");
    }

    @Override
    public FileLock tryLock(long at, long size, boolean shared) {
        throw new UnsupportedOperationException("the simulated file system has no locks");
    }

    @Override
    protected void implCloseChannel() {
        // nothing to release: the bytes belong to the file
    }
}
