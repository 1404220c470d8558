package io.flotilla.log;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GroupCommitTest {
    private Path dir;
    private GroupCommit groupCommit;

    @BeforeEach
    void setUp() throws IOException {
        dir = TestBatches.scratchDir("flotilla-gc");
        groupCommit = GroupCommit.withThreads(2);
    }

    @AfterEach
    void tearDown() throws Exception {
        groupCommit.close();
        TestBatches.deleteRecursively(dir);
    }

    @Test
    void everyWaiterCompletesOnlyOnceItsOffsetIsDurable() throws Exception {
        int writers = 8;
        int appendsEach = 200;
        try (PartitionLog log = PartitionLog.open(dir.resolve("p0"), LogConfig.DEFAULTS, () -> 0L)) {
            ExecutorService pool = Executors.newFixedThreadPool(writers);
            List<Future<?>> done = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                done.add(pool.submit(() -> {
                    for (int i = 0; i < appendsEach; i++) {
                        AppendResult result;
                        synchronized (log) { // assign the offset and append as one step, as a Raft leader does
                            result = log.append(TestBatches.simple(log.endOffset(), 1, 2, 0));
                        }
                        long flushed = groupCommit.whenDurable(log, result.nextOffset()).join();
                        assertTrue(flushed >= result.nextOffset(), "completed with " + flushed + " before "
                                + result.nextOffset() + " was durable");
                        assertTrue(log.flushedOffset() >= result.nextOffset());
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get(60, TimeUnit.SECONDS);
            }
            pool.shutdown();
            assertEquals(writers * appendsEach * 2L, log.flushedOffset());
        }
    }

    @Test
    void anAlreadyDurableOffsetCompletesAtOnce() throws IOException {
        try (PartitionLog log = PartitionLog.open(dir.resolve("p1"), LogConfig.DEFAULTS, () -> 0L)) {
            log.append(TestBatches.simple(0, 1, 1, 0));
            log.flush();
            CompletableFuture<Long> future = groupCommit.whenDurable(log, 1);
            assertTrue(future.isDone());
            assertEquals(1L, future.join());
        }
    }

    @Test
    void waitersOnAClosedLogFailWithTheReason() throws IOException {
        PartitionLog log = PartitionLog.open(dir.resolve("p2"), LogConfig.DEFAULTS, () -> 0L);
        log.append(TestBatches.simple(0, 1, 1, 0));
        log.close();
        CompletionException e = assertThrows(CompletionException.class, () -> groupCommit.whenDurable(log, 1).join());
        assertInstanceOf(LogClosedException.class, e.getCause());
    }

    @Test
    void aWaiterAcrossATruncationFailsRatherThanVouchForAReplacedEntry() throws Exception {
        java.util.concurrent.CountDownLatch gate = new java.util.concurrent.CountDownLatch(1);
        GroupCommit gated = new GroupCommit(1, task -> new Thread(() -> {
            try {
                gate.await(); // the flusher starts only when the test has set the scene
            } catch (InterruptedException e) {
                return;
            }
            task.run();
        }));
        try (PartitionLog log = PartitionLog.open(dir.resolve("p4"), LogConfig.DEFAULTS, () -> 0L)) {
            log.append(TestBatches.simple(0, 1, 2, 0));
            CompletableFuture<Long> waiter = gated.whenDurable(log, 2);
            log.truncateSuffix(0);
            log.append(TestBatches.simple(0, 2, 2, 0)); // a different entry now holds offsets 0..1
            gate.countDown();
            CompletionException e = assertThrows(CompletionException.class, waiter::join);
            assertTrue(e.getCause().getMessage().contains("was truncated while waiting for offset 2"),
                    e.getCause().getMessage());
        } finally {
            gated.close();
        }
    }

    @Test
    void releasingALogFailsItsWaitersAndForgetsIt() throws Exception {
        java.util.concurrent.CountDownLatch gate = new java.util.concurrent.CountDownLatch(1);
        GroupCommit gated = new GroupCommit(1, task -> new Thread(() -> {
            try {
                gate.await(); // keep the flusher from serving the waiter before the release
            } catch (InterruptedException e) {
                return;
            }
            task.run();
        }));
        try (PartitionLog log = PartitionLog.open(dir.resolve("p6"), LogConfig.DEFAULTS, () -> 0L)) {
            log.append(TestBatches.simple(0, 1, 1, 0));
            CompletableFuture<Long> waiter = gated.whenDurable(log, 1);
            gated.release(log);
            CompletionException e = assertThrows(CompletionException.class, waiter::join);
            assertInstanceOf(LogClosedException.class, e.getCause());
            gate.countDown();
            assertEquals(1L, gated.whenDurable(log, 1).get(10, TimeUnit.SECONDS), "a released log can wait again");
        } finally {
            gate.countDown();
            gated.close();
        }
    }

    @Test
    void waitingPastTheEndOfTheLogIsRefused() throws IOException {
        try (PartitionLog log = PartitionLog.open(dir.resolve("p5"), LogConfig.DEFAULTS, () -> 0L)) {
            log.append(TestBatches.simple(0, 1, 1, 0));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> groupCommit.whenDurable(log, 5));
            assertTrue(e.getMessage().contains("cannot wait for offset 5 to be durable"), e.getMessage());
            assertTrue(e.getMessage().contains("ends at 1"), e.getMessage());
        }
    }

    @Test
    void waitersPendingWhenGroupCommitStopsFail() throws Exception {
        GroupCommit stopped = GroupCommit.withThreads(1);
        stopped.close();
        try (PartitionLog log = PartitionLog.open(dir.resolve("p3"), LogConfig.DEFAULTS, () -> 0L)) {
            log.append(TestBatches.simple(0, 1, 1, 0));
            CompletionException e = assertThrows(CompletionException.class, () -> stopped.whenDurable(log, 1).join());
            assertTrue(e.getCause().getMessage().contains("group commit is stopped"), e.getCause().getMessage());
        }
    }
}
