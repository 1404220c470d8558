package io.flotilla.store;

import java.nio.file.Path;
import org.rocksdb.RocksDBException;

/**
 * An unchecked failure of the node store: RocksDB reported an error, or stored bytes could not be decoded.
 * The message names the operation (or column family and key) involved, so it can be logged as is.
 */
public final class NodeStoreException extends RuntimeException {

    NodeStoreException(String message, Throwable cause) {
        super(message, cause);
    }

    static NodeStoreException rocks(String operation, Path dir, RocksDBException cause) {
        return new NodeStoreException(
                operation + " failed for node store at " + dir + ": " + cause.getMessage(), cause);
    }
}
