package io.flotilla.broker.storage;

import io.flotilla.log.CorruptLogException;
import io.flotilla.log.LogConfig;
import io.flotilla.log.PartitionLog;
import io.flotilla.raft.HardState;
import io.flotilla.raft.Membership;
import io.flotilla.raft.MembershipEntry;
import io.flotilla.store.NodeStore;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.LongSupplier;
import java.util.stream.Stream;

/**
 * Opening a group's storage: creating a new group, or bringing an existing one back to one
 * consistent state after whatever a crash interrupted. {@link LogStorage} records every move of
 * the log start before making it (the group's snapshot in the node store first, then the
 * membership file, then the log), and a membership entry in the membership file before
 * appending it; so here the newest record wins, the log is brought up to it, and listed
 * membership entries the log does not hold are dropped.
 *
 * <p>A log damaged where no crash explains it (a flipped bit, a file cut short) is salvaged
 * ({@link PartitionLog#openSalvaging}): the promise not to vote until the lost entries are held
 * again ({@link RecoveryMarker}) is made durable first, then the log is cut before the first bad
 * batch; the promise goes into the hard state the group's member starts from, and it recovers
 * the entries from its group's leader. The same happens to every group, the controller's too.
 * While a marker exists, every open verifies every batch: a crash part-way through a cut can
 * leave damaged bytes where an open that trusts the indexes does not read.
 */
final class GroupRecovery {
    private static final String LOG_DIR = "log";

    /** What a group's storage starts from. */
    record Recovered(PartitionLog log, LogBase base, List<MembershipEntry> memberships, HardState hardState) {
    }

    private GroupRecovery() {
    }

    static Recovered open(long groupId, Path groupDir, LogConfig config, NodeStore store, StorageDamages damages,
                          Membership bootstrap, LongSupplier clockMs) throws IOException {
        Files.createDirectories(groupDir);
        Files.deleteIfExists(DurableFiles.temporary(MembershipFile.path(groupDir)));
        Files.deleteIfExists(groupDir.resolve(IncomingSnapshot.NAME)); // a transfer restarts from scratch
        Optional<MembershipFile.Contents> recorded = MembershipFile.read(groupDir);
        MembershipFile.Contents contents = recorded.isPresent() ? recorded.get()
                : create(groupId, groupDir, store, bootstrap);
        OptionalLong unfinished = RecoveryMarker.read(groupDir);
        if (unfinished.isPresent()) {
            damages.stillRecovering(groupId, RecoveryMarker.path(groupDir), unfinished.getAsLong());
        }
        boolean alone = latest(contents).voters().size() <= 1;
        // A crash part-way through a cut can leave damaged bytes where a trusting open does not read.
        LogConfig opening = unfinished.isPresent() ? config.withVerifyOnOpen(LogConfig.VerifyOnOpen.ALL) : config;
        PartitionLog log = PartitionLog.openSalvaging(groupDir.resolve(LOG_DIR), opening, clockMs, damage -> {
            // The promise first: a crash after the cut must not forget it.
            long recoveringTo = RecoveryMarker.record(groupDir, damage);
            damages.found(groupId, damage, recoveringTo, RecoveryMarker.path(groupDir), alone);
        });
        try {
            LogBase base = storedBase(groupId, store, contents.base(), groupDir);
            moveLogStart(log, base);
            List<MembershipEntry> memberships = new ArrayList<>();
            for (MembershipEntry e : contents.entries()) {
                if (e.offset() >= base.start() && e.offset() < log.endOffset()) {
                    memberships.add(e); // the others were truncated, or never appended
                }
            }
            if (base.start() != contents.base().start() || memberships.size() != contents.entries().size()) {
                MembershipFile.write(groupDir, base, memberships);
            }
            HardState hardState = store.hardState(groupId).map(HardStates::fromStore).orElse(HardState.INITIAL);
            OptionalLong recoveringTo = RecoveryMarker.read(groupDir);
            if (recoveringTo.isPresent()) {
                hardState = hardState.withRecoveringTo(recoveringTo.getAsLong());
            }
            return new Recovered(log, base, List.copyOf(memberships), hardState);
        } catch (IOException | RuntimeException e) {
            try {
                log.close();
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /** The membership in force at the end of what the file lists. */
    private static Membership latest(MembershipFile.Contents contents) {
        List<MembershipEntry> entries = contents.entries();
        return entries.isEmpty() ? contents.base().membership() : entries.get(entries.size() - 1).membership();
    }

    /** A new group: its membership file is written before its log exists, so a log never lacks one. */
    private static MembershipFile.Contents create(long groupId, Path groupDir, NodeStore store, Membership bootstrap)
            throws IOException {
        try (Stream<Path> files = Files.list(groupDir)) {
            Optional<Path> stray = files.findAny();
            if (stray.isPresent()) {
                throw new CorruptLogException(stray.get(), 0, "the group directory " + groupDir
                        + " holds files but no membership history; it is not a group directory, or its history was lost");
            }
        }
        if (store.hardState(groupId).isPresent() || store.snapshot(groupId).isPresent()) {
            throw new IllegalStateException("the node store holds state for group " + groupId + " but its directory "
                    + groupDir + " is new: a deletion of the group was cut short; finish it with"
                    + " LogStorage.deleteGroupData before creating the group again");
        }
        LogBase base = LogBase.initial(bootstrap);
        MembershipFile.write(groupDir, base, List.of());
        return new MembershipFile.Contents(base, List.of());
    }

    /** The group's base: its stored snapshot, which may be ahead of the membership file after a crash. */
    private static LogBase storedBase(long groupId, NodeStore store, LogBase recorded, Path groupDir) {
        Optional<LogBase> snapshot = GroupSnapshot.get(store, groupId);
        if (snapshot.isEmpty()) {
            if (recorded.start() != 0) {
                throw new CorruptLogException(MembershipFile.path(groupDir), 0, "the log of group " + groupId
                        + " starts at " + recorded.start() + " but the node store holds no snapshot of it");
            }
            return recorded;
        }
        if (snapshot.get().start() < recorded.start()) {
            throw new CorruptLogException(MembershipFile.path(groupDir), 0, "the log starts at " + recorded.start()
                    + " but the node store's snapshot of group " + groupId + " ends at " + snapshot.get().start());
        }
        return snapshot.get();
    }

    /**
     * Brings the log's start to {@code base}'s, where a crash left it behind: the prefix goes if
     * the log holds the entry before the new start with the recorded term (a compaction or
     * retention), else the whole log is replaced by an empty one there (a snapshot install).
     */
    private static void moveLogStart(PartitionLog log, LogBase base) throws IOException {
        long start = base.start();
        if (log.startOffset() > start) {
            throw new CorruptLogException(log.dir(), 0, "the log starts at " + log.startOffset()
                    + ", past the start its group recorded, " + start);
        }
        if (log.startOffset() < start) {
            if (log.endOffset() >= start && log.termAt(start - 1) == base.termBefore()) {
                log.deletePrefix(start);
            } else {
                log.resetTo(start, base.termBefore());
            }
        }
    }
}
