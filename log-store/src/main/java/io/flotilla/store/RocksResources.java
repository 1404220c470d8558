package io.flotilla.store;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.DBOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteOptions;

/**
 * The native objects behind one open database. RocksDB requires options to outlive the database and
 * column family handles to be released before it, so they are owned and released together here.
 */
final class RocksResources {

    static {
        RocksDB.loadLibrary();
    }

    final RocksDB db;
    final WriteOptions syncWrites;
    final Map<Family, ColumnFamilyHandle> families;
    private final DBOptions dbOptions;
    private final ColumnFamilyOptions familyOptions;
    private final List<ColumnFamilyHandle> handles;

    private RocksResources(RocksDB db, WriteOptions syncWrites, DBOptions dbOptions,
                           ColumnFamilyOptions familyOptions, List<ColumnFamilyHandle> handles) {
        this.db = db;
        this.syncWrites = syncWrites;
        this.dbOptions = dbOptions;
        this.familyOptions = familyOptions;
        this.handles = handles;
        Map<Family, ColumnFamilyHandle> byFamily = new EnumMap<>(Family.class);
        // handles.get(0) is the default column family, which RocksDB requires but the store does not use.
        for (Family family : Family.values()) {
            byFamily.put(family, handles.get(family.ordinal() + 1));
        }
        this.families = byFamily;
    }

    /** Opens or creates the database in {@code dir} with every {@link Family}; on failure nothing stays allocated. */
    static RocksResources open(Path dir) throws RocksDBException {
        DBOptions dbOptions = new DBOptions().setCreateIfMissing(true).setCreateMissingColumnFamilies(true);
        ColumnFamilyOptions familyOptions = new ColumnFamilyOptions();
        WriteOptions syncWrites = new WriteOptions().setSync(true);
        List<ColumnFamilyDescriptor> descriptors = new ArrayList<>();
        descriptors.add(new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, familyOptions));
        for (Family family : Family.values()) {
            descriptors.add(new ColumnFamilyDescriptor(family.cfName(), familyOptions));
        }
        List<ColumnFamilyHandle> handles = new ArrayList<>();
        try {
            RocksDB db = RocksDB.open(dbOptions, dir.toString(), descriptors, handles);
            return new RocksResources(db, syncWrites, dbOptions, familyOptions, handles);
        } catch (RocksDBException e) {
            handles.forEach(ColumnFamilyHandle::close);
            syncWrites.close();
            familyOptions.close();
            dbOptions.close();
            throw e;
        }
    }

    /** Releases everything, even if closing the database reports an error, which is then rethrown. */
    void close() throws RocksDBException {
        handles.forEach(ColumnFamilyHandle::close);
        try {
            db.closeE();
        } finally {
            syncWrites.close();
            familyOptions.close();
            dbOptions.close();
        }
    }
}
