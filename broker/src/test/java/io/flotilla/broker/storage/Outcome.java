package io.flotilla.broker.storage;

import io.flotilla.raft.Ready;
import io.flotilla.raft.driver.GroupPersistence;
import io.flotilla.raft.driver.PersistCallback;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/** What a persistence reported about one Ready: persisted, or failed with a cause; counts the reports. */
final class Outcome implements PersistCallback {
    private final Ready ready;
    private final CompletableFuture<Ready> reported = new CompletableFuture<>();
    private final AtomicInteger reports = new AtomicInteger();

    private Outcome(Ready ready) {
        this.ready = ready;
    }

    /** Hands {@code ready} to {@code persistence} and returns what it will report. */
    static Outcome of(GroupPersistence persistence, Ready ready) {
        Outcome outcome = new Outcome(ready);
        persistence.persist(ready, outcome);
        return outcome;
    }

    @Override
    public void persisted(Ready r) {
        reports.incrementAndGet();
        if (r == ready) {
            reported.complete(r);
        } else {
            reported.completeExceptionally(new AssertionError("persisted() named another Ready"));
        }
    }

    @Override
    public void failed(Ready r, Throwable cause) {
        reports.incrementAndGet();
        reported.completeExceptionally(r == ready ? cause : new AssertionError("failed() named another Ready"));
    }

    /** Waits for the report; throws its cause if it was a failure. */
    void awaitPersisted() throws InterruptedException, TimeoutException, ExecutionException {
        reported.get(10, TimeUnit.SECONDS);
    }

    /** Waits for the report and returns the failure's cause, or null if the Ready was persisted. */
    Throwable awaitFailure() throws InterruptedException, TimeoutException {
        try {
            reported.get(10, TimeUnit.SECONDS);
            return null;
        } catch (ExecutionException e) {
            return e.getCause();
        }
    }

    int reports() {
        return reports.get();
    }
}
