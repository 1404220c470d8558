package io.flotilla.log;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;

/**
 * Group commit for every log of a node: many appends, one fsync, then each waiting caller is
 * told its write is durable. A fixed set of flusher threads serves all logs (a log always maps
 * to the same thread); there is no thread or timer per log.
 *
 * <p>How batching happens: the first waiter on a log queues it for a flush; waiters that
 * arrive while it is queued or while its fsync runs just join the list. When a flush ends, it
 * completes every waiter it covers, and the log is queued again if any arrived after the fsync
 * took its target. So under load one fsync covers every append made during the previous one.
 */
public final class GroupCommit implements AutoCloseable {
    private final Map<PartitionLog, Waiters> waitersByLog = new ConcurrentHashMap<>();
    private final List<Flusher> flushers = new ArrayList<>();
    private volatile boolean closed;

    /**
     * @param threads number of flusher threads (fsyncs of different logs run in parallel up to this)
     */
    public GroupCommit(int threads, ThreadFactory threadFactory) {
        if (threads < 1) {
            throw new IllegalArgumentException("group commit needs at least one flusher thread, got " + threads);
        }
        for (int i = 0; i < threads; i++) {
            Flusher flusher = new Flusher();
            flushers.add(flusher);
            Thread thread = threadFactory.newThread(flusher);
            flusher.thread = thread;
            thread.start();
        }
    }

    /** A group commit with daemon threads named {@code flotilla-flush-N}. */
    public static GroupCommit withThreads(int threads) {
        int[] next = {0};
        return new GroupCommit(threads, task -> {
            Thread t = new Thread(task, "flotilla-flush-" + next[0]++);
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Completes once every offset below {@code offset} of {@code log} is durable, with the log's
     * flushed offset at that moment; or exceptionally if the fsync fails or the log closes first.
     */
    public CompletableFuture<Long> whenDurable(PartitionLog log, long offset) {
        long flushed = log.flushedOffset();
        if (flushed >= offset) {
            return CompletableFuture.completedFuture(flushed);
        }
        if (closed) {
            return CompletableFuture.failedFuture(new LogException("group commit is stopped"));
        }
        CompletableFuture<Long> future = new CompletableFuture<>();
        Waiters waiters = waitersByLog.computeIfAbsent(log, Waiters::new);
        if (waiters.add(offset, future)) {
            flushers.get(Math.floorMod(System.identityHashCode(log), flushers.size())).queue.add(waiters);
        }
        return future;
    }

    /** Stops the flushers (waiting for an fsync in progress to end); waiters still pending fail. */
    @Override
    public void close() {
        closed = true;
        for (Flusher flusher : flushers) {
            flusher.thread.interrupt();
        }
        boolean interrupted = false;
        for (Flusher flusher : flushers) {
            while (flusher.thread.isAlive()) {
                try {
                    flusher.thread.join();
                } catch (InterruptedException e) {
                    interrupted = true; // finish stopping, then restore the caller's interrupt
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        LogException stopped = new LogException("group commit stopped before the write was flushed");
        for (Waiters waiters : waitersByLog.values()) {
            waiters.failAll(stopped);
        }
    }

    /** The callers waiting on one log, ordered by the offset they wait for. */
    private static final class Waiters {
        private final PartitionLog log;
        private final PriorityQueue<Waiter> pending = new PriorityQueue<>();
        private boolean queued;

        Waiters(PartitionLog log) {
            this.log = log;
        }

        /** Adds a waiter; true if the log must be queued for a flush. */
        synchronized boolean add(long offset, CompletableFuture<Long> future) {
            pending.add(new Waiter(offset, future));
            if (queued) {
                return false;
            }
            queued = true;
            return true;
        }

        /** Called by the flusher before the fsync: later waiters will queue the log again. */
        synchronized void dequeued() {
            queued = false;
        }

        /** Takes the waiters a flush reaching {@code flushed} covers; true in {@code requeue[0]} if others remain unqueued. */
        synchronized List<Waiter> takeCovered(long flushed, boolean[] requeue) {
            List<Waiter> done = new ArrayList<>();
            while (!pending.isEmpty() && pending.peek().offset <= flushed) {
                done.add(pending.poll());
            }
            requeue[0] = !pending.isEmpty() && !queued;
            if (requeue[0]) {
                queued = true;
            }
            return done;
        }

        void failAll(Throwable error) {
            List<Waiter> all;
            synchronized (this) {
                all = new ArrayList<>(pending);
                pending.clear();
            }
            for (Waiter waiter : all) {
                waiter.future.completeExceptionally(error);
            }
        }
    }

    private record Waiter(long offset, CompletableFuture<Long> future) implements Comparable<Waiter> {
        @Override
        public int compareTo(Waiter other) {
            return Long.compare(offset, other.offset);
        }
    }

    private final class Flusher implements Runnable {
        final BlockingQueue<Waiters> queue = new LinkedBlockingQueue<>();
        Thread thread;

        @Override
        public void run() {
            boolean[] requeue = new boolean[1];
            while (!closed) {
                Waiters waiters;
                try {
                    waiters = queue.take();
                } catch (InterruptedException e) {
                    return;
                }
                waiters.dequeued();
                long flushed;
                try {
                    flushed = waiters.log.flush();
                } catch (RuntimeException e) {
                    waiters.failAll(e);
                    continue;
                }
                for (Waiter waiter : waiters.takeCovered(flushed, requeue)) {
                    waiter.future.complete(flushed);
                }
                if (requeue[0]) {
                    queue.add(waiters);
                }
            }
        }
    }
}
