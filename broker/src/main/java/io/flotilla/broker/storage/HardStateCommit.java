package io.flotilla.broker.storage;

import io.flotilla.store.HardState;
import io.flotilla.store.NodeStore;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * Group commit for hard states: every hard state queued while the previous write ran goes to
 * the node store in one synced write, as {@link io.flotilla.log.GroupCommit} does one fsync
 * for many appends. It matters when a node fails: thousands of groups elect at once, and each
 * member must make its term and vote durable before it answers; one WAL sync per member would
 * make failover wait on thousands of them.
 *
 * <p>One thread, {@code flotilla-hard-state}; futures complete on it, so callers hand real
 * work elsewhere. Writes of one group are applied in the order they were queued.
 */
final class HardStateCommit implements AutoCloseable {
    private record Pending(long groupId, HardState state, CompletableFuture<Void> done) {
    }

    private static final Pending STOP = new Pending(-1, null, null);

    private final NodeStore store;
    private final BlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
    private final Thread thread;
    private volatile boolean closed;

    HardStateCommit(NodeStore store) {
        this.store = store;
        this.thread = new Thread(this::run, "flotilla-hard-state");
        thread.setDaemon(true);
        thread.start();
    }

    /** Completes once {@code state} is durable as group {@code groupId}'s hard state, or fails if it cannot be. */
    CompletableFuture<Void> write(long groupId, HardState state) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        queue.add(new Pending(groupId, state, done));
        if (closed) {
            failQueued(); // close() may have stopped the thread before this arrived
        }
        return done;
    }

    private void run() {
        List<Pending> batch = new ArrayList<>();
        while (true) {
            batch.add(take());
            queue.drainTo(batch);
            int stop = batch.indexOf(STOP);
            writeAll(stop < 0 ? batch : batch.subList(0, stop));
            if (stop >= 0) {
                batch.subList(stop + 1, batch.size()).forEach(p -> p.done().completeExceptionally(stopped()));
                return;
            }
            batch.clear();
        }
    }

    private void writeAll(List<Pending> batch) {
        if (batch.isEmpty()) {
            return;
        }
        try {
            store.write(writes -> batch.forEach(p -> writes.putHardState(p.groupId(), p.state())));
        } catch (RuntimeException e) {
            batch.forEach(p -> p.done().completeExceptionally(e));
            return;
        }
        batch.forEach(p -> p.done().complete(null));
    }

    /** Blocks for the next write; an interrupt (which we never send) is ignored, not fatal. */
    private Pending take() {
        while (true) {
            try {
                return queue.take();
            } catch (InterruptedException ignored) {
                // the thread stops only on STOP, so a stray interrupt cannot strand writers
            }
        }
    }

    /** Writes what was queued before, then stops; later writes fail. */
    @Override
    public void close() {
        closed = true;
        queue.add(STOP);
        boolean interrupted = false;
        while (thread.isAlive()) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                interrupted = true; // finish stopping, then restore the caller's interrupt
            }
        }
        failQueued();
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private void failQueued() {
        Pending p;
        while ((p = queue.poll()) != null) {
            if (p != STOP) {
                p.done().completeExceptionally(stopped());
            }
        }
    }

    private static IllegalStateException stopped() {
        return new IllegalStateException("hard-state commit is stopped; the hard state was not made durable");
    }
}
