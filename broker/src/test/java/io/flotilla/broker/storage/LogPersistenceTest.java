package io.flotilla.broker.storage;

import io.flotilla.log.LogException;
import io.flotilla.raft.Entry;
import io.flotilla.raft.HardState;
import io.flotilla.raft.Ready;
import io.flotilla.store.NodeStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static io.flotilla.broker.storage.TestEntries.appending;
import static io.flotilla.broker.storage.TestEntries.data;
import static io.flotilla.broker.storage.TestEntries.member;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

class LogPersistenceTest {
    private static final long GROUP = 3;

    @TempDir(factory = ScratchDirs.class)
    Path dir;

    private StorageFixture fixture;
    private LogStorage storage;
    private LogPersistence persistence;

    @BeforeEach
    void open() throws IOException {
        fixture = new StorageFixture(dir);
        storage = fixture.open(GROUP, true);
        persistence = new LogPersistence(storage);
    }

    @AfterEach
    void close() throws IOException {
        try {
            storage.close();
        } finally {
            fixture.close();
        }
    }

    @Test
    void anAppendThatFailsOnTheDiskIsReportedFailedOnceAndNeverPersisted() throws Exception {
        // The next segment file cannot be created: a directory holds each name a roll could pick.
        for (long offset = 1; offset < 200; offset++) {
            Files.createDirectories(storage.log().dir().resolve(String.format("%020d.log", offset)));
        }
        List<Entry> entries = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            entries.add(data(i, 1, List.of("a value long enough to fill a 1 KiB segment in a few dozen entries")));
        }
        Ready ready = appending(-1, entries, null);

        Outcome outcome = Outcome.of(persistence, ready);

        assertInstanceOf(IOException.class, outcome.awaitFailure(), "the roll's I/O error is the cause");
        assertEquals(1, outcome.reports(), "one report, and it is a failure");
        Outcome next = Outcome.of(persistence, appending(-1, List.of(data(storage.endOffset(), 1, List.of("x"))), null));
        assertInstanceOf(LogException.class, next.awaitFailure(), "the log refuses writes until reopened");
    }

    @Test
    void aWriteThatFailsOnTheDiskWorkerIsReportedFailedOnceAndNeverPersisted() throws Exception {
        // A membership entry rewrites the membership history first; a directory is in the way of its temporary file.
        Files.createDirectories(dir.resolve("group-" + GROUP).resolve("membership.tmp").resolve("in-the-way"));
        Ready ready = appending(-1, List.of(TestEntries.membership(0, 1, StorageFixture.VOTERS)), null);

        Outcome outcome = Outcome.of(persistence, ready);

        assertInstanceOf(IOException.class, outcome.awaitFailure());
        assertEquals(1, outcome.reports());
        assertEquals(0, storage.endOffset(), "the entry was not appended without its history");
    }

    @Test
    void aNewTermOrVoteIsDurableBeforePersistedWhileACommitEndAloneIsWrittenAtClose() throws Exception {
        NodeStore store = fixture.store;
        HardState voted = new HardState(2, member(2), 0);
        Outcome.of(persistence, appending(-1, List.of(data(0, 2, List.of("a"))), voted)).awaitPersisted();
        assertEquals(voted, HardStates.fromStore(store.hardState(GROUP).orElseThrow()), "durable when persisted");

        HardState committed = new HardState(2, member(2), 1);
        Outcome.of(persistence, appending(-1, List.of(), committed)).awaitPersisted();
        assertEquals(committed, storage.hardState(), "storage answers with the newest hard state");
        assertEquals(voted, HardStates.fromStore(store.hardState(GROUP).orElseThrow()), "a commit end alone is not synced");

        storage.close();
        storage = fixture.open(GROUP, true);
        assertEquals(committed, storage.hardState(), "close wrote it");
    }

    @Test
    void persistNeverWaitsForTheDiskWorkerAndAppendsQueueBehindItsWork() throws Exception {
        Outcome.of(persistence, appending(-1, List.of(data(0, 1, List.of("a")), data(1, 1, List.of("b"))), null))
                .awaitPersisted();
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<Void> busy = fixture.node.work().run(GROUP, () -> {
            awaitUninterruptibly(release);
            return null;
        });
        try {
            Outcome truncation = Outcome.of(persistence, appending(1, List.of(data(1, 2, List.of("c"))), null));
            assertEquals(0, truncation.reports(), "persist returned while the disk worker was busy");
            assertEquals(2, storage.endOffset(), "the truncation waits behind the worker's earlier work");
            release.countDown();
            truncation.awaitPersisted();
        } finally {
            release.countDown();
            busy.get(10, TimeUnit.SECONDS);
        }
        assertEquals(2, storage.endOffset());
        assertEquals(2, storage.termAt(1), "the entry after the truncation is the new one");

        CountDownLatch again = new CountDownLatch(1);
        CompletableFuture<Void> held = fixture.node.work().run(GROUP, () -> {
            awaitUninterruptibly(again);
            return null;
        });
        try {
            CompletableFuture<Void> compaction = storage.compact(1, new byte[0]);
            assertEquals(1, storage.startOffset(), "readers see the new start at once");
            assertEquals(0, storage.log().startOffset(), "the entries below it go later, on the disk worker");
            Outcome append = Outcome.of(persistence, appending(-1, List.of(data(2, 2, List.of("d"))), null));
            assertEquals(0, append.reports(), "with a compaction queued, appends go behind it, not into its lock");
            again.countDown();
            append.awaitPersisted();
            compaction.get(10, TimeUnit.SECONDS);
        } finally {
            again.countDown();
            held.get(10, TimeUnit.SECONDS);
        }
        assertEquals(1, storage.log().startOffset(), "the compaction deleted below its start");
        assertEquals(3, storage.endOffset());
    }

    private static void awaitUninterruptibly(CountDownLatch latch) {
        while (true) {
            try {
                if (latch.await(10, TimeUnit.SECONDS)) {
                    return;
                }
                throw new AssertionError("the test never released the disk worker");
            } catch (InterruptedException ignored) {
                // a disk worker is never interrupted
            }
        }
    }
}
