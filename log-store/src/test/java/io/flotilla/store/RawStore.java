package io.flotilla.store;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.DBOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;

/** Direct RocksDB access for tests, bypassing the store's codecs. */
final class RawStore {

    static {
        RocksDB.loadLibrary();
    }

    private RawStore() {
    }

    /**
     * Every key and value of every store column family, hex-encoded, in key order. Reads through a read-only
     * instance, which takes no lock and replays the WAL, so the store may stay open.
     */
    static Map<String, Map<String, String>> contents(Path dir) throws RocksDBException {
        Map<String, Map<String, String>> contents = new LinkedHashMap<>();
        withDb(dir, true, (db, families) -> {
            for (Family family : Family.values()) {
                Map<String, String> entries = new LinkedHashMap<>();
                try (RocksIterator it = db.newIterator(families.get(family.ordinal()))) {
                    for (it.seekToFirst(); it.isValid(); it.next()) {
                        entries.put(HexFormat.of().formatHex(it.key()), HexFormat.of().formatHex(it.value()));
                    }
                    it.status();
                }
                contents.put(family.toString(), entries);
            }
        });
        return contents;
    }

    /** Writes raw bytes into a closed store's column family. */
    static void put(Path dir, Family family, byte[] key, byte[] value) throws RocksDBException {
        withDb(dir, false, (db, families) -> db.put(families.get(family.ordinal()), key, value));
    }

    private static void withDb(Path dir, boolean readOnly, DbAction action) throws RocksDBException {
        List<ColumnFamilyHandle> handles = new ArrayList<>();
        try (DBOptions options = new DBOptions(); ColumnFamilyOptions familyOptions = new ColumnFamilyOptions()) {
            List<ColumnFamilyDescriptor> descriptors = new ArrayList<>();
            descriptors.add(new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, familyOptions));
            for (Family family : Family.values()) {
                descriptors.add(new ColumnFamilyDescriptor(family.cfName(), familyOptions));
            }
            try (RocksDB db = readOnly
                    ? RocksDB.openReadOnly(options, dir.toString(), descriptors, handles)
                    : RocksDB.open(options, dir.toString(), descriptors, handles)) {
                try {
                    action.run(db, handles.subList(1, handles.size()));
                } finally {
                    handles.forEach(ColumnFamilyHandle::close);
                }
            }
        }
    }

    @FunctionalInterface
    private interface DbAction {
        void run(RocksDB db, List<ColumnFamilyHandle> families) throws RocksDBException;
    }
}
