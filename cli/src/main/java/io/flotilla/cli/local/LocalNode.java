package io.flotilla.cli.local;

import io.flotilla.cli.client.HostPort;
import java.nio.file.Path;

/**
 * One node of a local cluster.
 *
 * @param id 1..9
 * @param address where it listens and clients reach it
 * @param dataDir its data directory, which also holds its {@link #log()}
 */
public record LocalNode(int id, HostPort address, Path dataDir) {

    /** The node's standard output and error, appended to across starts. */
    public Path log() {
        return dataDir.resolve("server.log");
    }
}
