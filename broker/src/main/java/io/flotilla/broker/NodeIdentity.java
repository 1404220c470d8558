package io.flotilla.broker;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.Properties;

/**
 * Who this node is on disk: its id, the incarnation drawn when its data directory was first
 * used, and the id of the cluster it joined (empty until it has). A wiped directory gets a new
 * incarnation, so the node comes back as a new Raft member, never as one that forgot its votes.
 */
public record NodeIdentity(int nodeId, long incarnation, String clusterId) {
    static final String FILE = "identity.properties";

    public boolean joined() {
        return !clusterId.isEmpty();
    }

    public NodeIdentity withClusterId(String id) {
        return new NodeIdentity(nodeId, incarnation, id);
    }

    /**
     * Reads the identity in {@code dataDir}, or creates one with a fresh incarnation.
     *
     * @throws IllegalStateException if the directory belongs to another node id
     */
    public static NodeIdentity loadOrCreate(Path dataDir, int nodeId) {
        Path file = dataDir.resolve(FILE);
        try {
            Files.createDirectories(dataDir);
            if (Files.exists(file)) {
                Properties p = new Properties();
                try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                    p.load(r);
                }
                int stored = Integer.parseInt(p.getProperty("node.id"));
                if (stored != nodeId) {
                    throw new IllegalStateException("data directory " + dataDir + " belongs to node " + stored
                            + ", not node " + nodeId + "; give each node its own directory");
                }
                return new NodeIdentity(stored, Long.parseUnsignedLong(p.getProperty("incarnation"), 16),
                        p.getProperty("cluster.id", ""));
            }
            long incarnation;
            do {
                incarnation = new SecureRandom().nextLong() & Long.MAX_VALUE;
            } while (incarnation == 0);
            NodeIdentity fresh = new NodeIdentity(nodeId, incarnation, "");
            fresh.store(dataDir);
            return fresh;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or create " + file, e);
        }
    }

    /** Writes the identity durably (temp file, fsync, atomic rename). */
    public void store(Path dataDir) {
        Path file = dataDir.resolve(FILE);
        Path temp = dataDir.resolve(FILE + ".tmp");
        Properties p = new Properties();
        p.setProperty("node.id", Integer.toString(nodeId));
        p.setProperty("incarnation", Long.toHexString(incarnation));
        p.setProperty("cluster.id", clusterId);
        try {
            try (Writer w = Files.newBufferedWriter(temp, StandardCharsets.UTF_8)) {
                p.store(w, "Flotilla node identity: do not edit");
            }
            try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                ch.force(true);
            }
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            try (FileChannel dir = FileChannel.open(dataDir, StandardOpenOption.READ)) {
                dir.force(true);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}
