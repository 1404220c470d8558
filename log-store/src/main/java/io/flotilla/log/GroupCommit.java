package io.flotilla.log;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
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
 *
 * <p>Futures complete on a flusher thread: callers must hand real work to their own thread
 * (a Raft event loop does) rather than run it in the callback, or they delay other logs' fsyncs.
 * Flushers are never interrupted (an interrupt would close the file channel under the fsync);
 * {@link #close} stops them with a sentinel.
 *
 * <p>A caller that decides itself when each fsync happens (the deterministic simulation, where
 * simulated time passes between a flush's start and its end) builds one over an
 * {@link Executor} instead of threads: the batching, the waiters and the truncation rule are
 * the same.
 */
public final class GroupCommit implements AutoCloseable {
    private final Map<PartitionLog, Waiters> waitersByLog = new ConcurrentHashMap<>();
    private final List<Flusher> flushers = new ArrayList<>();
    /** Runs one flush of one log per task, when flushers are not threads of this object's own; else null. */
    private final Executor flushExecutor;
    private volatile boolean closed;

    /**
     * @param threads number of flusher threads (fsyncs of different logs run in parallel up to this)
     */
    public GroupCommit(int threads, ThreadFactory threadFactory) {
        if (threads < 1) {
            throw new IllegalArgumentException("group commit needs at least one flusher thread, got " + threads);
        }
        this.flushExecutor = null;
        for (int i = 0; i < threads; i++) {
            Flusher flusher = new Flusher();
            flushers.add(flusher);
            flusher.thread = threadFactory.newThread(flusher);
            flusher.thread.start();
        }
    }

    /**
     * A group commit without threads: each task handed to {@code flushes} fsyncs one log once
     * and completes its waiters; a log is handed over again if waiters arrived meanwhile. A log
     * is never handed over while a task for it is pending, so its flushes never overlap.
     */
    public GroupCommit(Executor flushes) {
        this.flushExecutor = flushes;
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
     * flushed offset at that moment. Completes exceptionally if the fsync fails, the log closes
     * or is released, group commit stops, or the log is truncated while waiting (the entry may
     * have been replaced, so its durability can no longer be vouched for).
     *
     * @throws IllegalArgumentException if {@code offset} is past the log's end: nothing could make it durable
     */
    public CompletableFuture<Long> whenDurable(PartitionLog log, long offset) {
        long flushed = log.flushedOffset();
        if (flushed >= offset) {
            return CompletableFuture.completedFuture(flushed);
        }
        long end = log.endOffset();
        if (offset > end) {
            throw new IllegalArgumentException("cannot wait for offset " + offset + " to be durable: the log at "
                    + log.dir() + " ends at " + end);
        }
        CompletableFuture<Long> future = new CompletableFuture<>();
        Waiters waiters = waitersByLog.computeIfAbsent(log, Waiters::new);
        if (waiters.add(new Waiter(offset, log.truncations(), future))) {
            queue(waiters);
        }
        if (closed) {
            waiters.failAll(stopped()); // close() may have drained before this waiter arrived
        }
        return future;
    }

    private void queue(Waiters waiters) {
        if (flushExecutor != null) {
            flushExecutor.execute(() -> {
                if (waiters.flushOnce()) {
                    queue(waiters);
                }
            });
        } else {
            flushers.get(Math.floorMod(System.identityHashCode(waiters.log), flushers.size())).queue.add(waiters);
        }
    }

    /** Forgets a log that is closing or moving away; its pending waiters fail. */
    public void release(PartitionLog log) {
        Waiters waiters = waitersByLog.remove(log);
        if (waiters != null) {
            waiters.failAll(new LogClosedException(log.dir()));
        }
    }

    /** Stops the flushers after the fsyncs in progress; waiters still pending fail. */
    @Override
    public void close() {
        closed = true;
        for (Flusher flusher : flushers) {
            flusher.queue.add(Flusher.STOP);
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
        for (Waiters waiters : waitersByLog.values()) {
            waiters.failAll(stopped());
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private static LogException stopped() {
        return new LogException("group commit is stopped; the write was not confirmed durable");
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
        synchronized boolean add(Waiter waiter) {
            pending.add(waiter);
            if (queued) {
                return false;
            }
            queued = true;
            return true;
        }

        /** Called by the flusher before the fsync: waiters arriving from now on queue the log again. */
        synchronized void dequeued() {
            queued = false;
        }

        /**
         * One fsync of the log and the waiters it settles.
         *
         * @return whether waiters remain and the log must be queued again
         */
        boolean flushOnce() {
            dequeued();
            long flushed;
            try {
                flushed = log.flush();
            } catch (RuntimeException e) {
                failAll(e);
                return false;
            }
            return settle(flushed);
        }

        /**
         * Completes the waiters a flush reaching {@code flushed} covers and fails those that
         * waited across a truncation.
         *
         * @return whether waiters remain and the log must be queued again
         */
        boolean settle(long flushed) {
            List<Waiter> done = new ArrayList<>();
            List<Waiter> replaced = new ArrayList<>();
            boolean requeue;
            long truncations = log.truncations();
            synchronized (this) {
                pending.removeIf(w -> w.truncations != truncations && replaced.add(w));
                while (!pending.isEmpty() && pending.peek().offset <= flushed) {
                    done.add(pending.poll());
                }
                requeue = !pending.isEmpty() && !queued;
                queued |= requeue;
            }
            for (Waiter waiter : replaced) {
                waiter.future.completeExceptionally(new LogException("the log at " + log.dir()
                        + " was truncated while waiting for offset " + waiter.offset
                        + " to be durable; the entry may have been replaced"));
            }
            for (Waiter waiter : done) {
                waiter.future.complete(flushed);
            }
            return requeue;
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

    private record Waiter(long offset, long truncations, CompletableFuture<Long> future) implements Comparable<Waiter> {
        @Override
        public int compareTo(Waiter other) {
            return Long.compare(offset, other.offset);
        }
    }

    private static final class Flusher implements Runnable {
        static final Waiters STOP = new Waiters(null);

        final BlockingQueue<Waiters> queue = new LinkedBlockingQueue<>();
        Thread thread;

        @Override
        public void run() {
            while (true) {
                Waiters waiters = take();
                if (waiters == STOP) {
                    return;
                }
                if (waiters.flushOnce()) {
                    queue.add(waiters);
                }
            }
        }

        /** Blocks for the next log; an interrupt (which we never send) is ignored, not fatal. */
        private Waiters take() {
            while (true) {
                try {
                    return queue.take();
                } catch (InterruptedException ignored) {
                    // flushers stop only on STOP, so a stray interrupt cannot strand waiters
                }
            }
        }
    }
}
