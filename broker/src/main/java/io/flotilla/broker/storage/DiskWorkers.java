package io.flotilla.broker.storage;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The node's threads for group writes that wait for the disk: a truncation (durable on
 * return), a snapshot install, a compaction, a membership history rewrite. Event loops hand
 * them here instead of blocking. A group always maps to the same thread, so its writes run
 * one at a time and in the order they were handed over; there is no thread per group.
 *
 * <p>Threads are never interrupted, not even by {@link #close}: Java closes a file channel
 * whose user is interrupted, which would fail the write instead of stopping it.
 */
final class DiskWorkers implements AutoCloseable {
    private final ExecutorService[] workers;

    DiskWorkers(int threads) {
        workers = new ExecutorService[threads];
        for (int i = 0; i < threads; i++) {
            String name = "flotilla-disk-" + i;
            workers[i] = Executors.newSingleThreadExecutor(task -> {
                Thread t = new Thread(task, name);
                t.setDaemon(true);
                return t;
            });
        }
    }

    /**
     * Runs {@code action} on the group's thread after the group's earlier actions; the future
     * completes there with its result or what it threw.
     *
     * @throws java.util.concurrent.RejectedExecutionException after {@link #close}
     */
    <T> CompletableFuture<T> submit(long groupId, DiskWork.IoAction<T> action) {
        CompletableFuture<T> result = new CompletableFuture<>();
        workers[Math.floorMod(Long.hashCode(groupId), workers.length)].execute(() -> {
            try {
                result.complete(action.run());
            } catch (Throwable e) {
                result.completeExceptionally(e); // the group's persistence reports it; the thread serves other groups
            }
        });
        return result;
    }

    /** Runs the actions already handed over, refuses new ones, and waits for the threads to end. */
    @Override
    public void close() {
        for (ExecutorService worker : workers) {
            worker.shutdown();
        }
        boolean interrupted = false;
        for (ExecutorService worker : workers) {
            while (true) {
                try {
                    if (worker.awaitTermination(1, TimeUnit.MINUTES)) {
                        break;
                    }
                } catch (InterruptedException e) {
                    interrupted = true; // finish stopping, then restore the caller's interrupt
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
