package io.flotilla.broker.coordinator;

import io.flotilla.store.NodeStore;
import io.flotilla.store.StoreBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * Writes the committed offsets that coordinator partitions apply into the node store's
 * {@code consumer-offset} column family, off their loop threads (a store write waits for an
 * fsync): one thread per node, which folds every write queued meanwhile into one synced batch.
 * Writes land in the order they were handed over.
 *
 * <p>The column family is a copy of what the coordinators' state machines hold, kept by every
 * replica; a write lost in a crash is made good at the next start, when each coordinator
 * partition rewrites its groups' offsets from its snapshot and replays its log after it.
 */
final class OffsetMaterializer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(OffsetMaterializer.class);

    private record Write(Consumer<StoreBatch> ops, CompletableFuture<Void> done) {
    }

    private final NodeStore store;
    private final ConcurrentLinkedQueue<Write> queued = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean draining = new AtomicBoolean();
    private final ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "flotilla-group-offsets");
        t.setDaemon(true);
        return t;
    });

    OffsetMaterializer(NodeStore store) {
        this.store = store;
    }

    /** Queues {@code ops}; the future completes once they (and everything queued before) are durable. */
    CompletableFuture<Void> write(Consumer<StoreBatch> ops) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        queued.add(new Write(ops, done));
        if (draining.compareAndSet(false, true)) {
            try {
                thread.execute(this::drain);
            } catch (RejectedExecutionException closed) {
                done.completeExceptionally(closed); // the node is stopping: replay restores the copy
            }
        }
        return done;
    }

    private void drain() {
        while (true) {
            List<Write> batch = new ArrayList<>();
            for (Write w = queued.poll(); w != null; w = queued.poll()) {
                batch.add(w);
            }
            if (batch.isEmpty()) {
                draining.set(false);
                if (queued.isEmpty() || !draining.compareAndSet(false, true)) {
                    return;
                }
                continue; // a write arrived between the last poll and the flag: take it
            }
            try {
                store.write(b -> batch.forEach(w -> w.ops().accept(b)));
                batch.forEach(w -> w.done().complete(null));
            } catch (RuntimeException e) {
                log.error("writing {} committed-offset changes to the node store failed", batch.size(), e);
                batch.forEach(w -> w.done().completeExceptionally(e));
            }
        }
    }

    /** Writes what is queued, then stops the thread; call before the node store closes. */
    @Override
    public void close() {
        thread.shutdown();
        try {
            if (!thread.awaitTermination(30, TimeUnit.SECONDS)) {
                log.warn("committed-offset writes did not finish within 30 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
