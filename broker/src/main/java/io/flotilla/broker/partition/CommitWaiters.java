package io.flotilla.broker.partition;

import io.flotilla.broker.api.ApiException;
import io.flotilla.raft.Entry;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * Callers waiting for their proposals to commit, in log order. A proposal commits when an
 * entry of its term commits at its offset; any other entry committing there means it was
 * overwritten by a later leader and will never commit where it was proposed.
 *
 * <p>Loop thread only.
 *
 * @param <T> what a waiter learns when its proposal commits
 */
public final class CommitWaiters<T> {
    private record Proposal<T>(long baseOffset, long term, List<CompletableFuture<T>> waiters) {
    }

    private final ArrayDeque<Proposal<T>> proposals = new ArrayDeque<>();

    /** {@code waiter} (which may be null: nobody waits yet) waits for {@code proposed} to commit. */
    public void add(Entry proposed, CompletableFuture<T> waiter) {
        List<CompletableFuture<T>> waiters = new ArrayList<>(1);
        if (waiter != null) {
            waiters.add(waiter);
        }
        proposals.add(new Proposal<>(proposed.baseOffset(), proposed.term(), waiters));
    }

    /** {@code waiter} also waits for the proposal at {@code baseOffset}; false if there is none. */
    public boolean join(long baseOffset, CompletableFuture<T> waiter) {
        for (Proposal<T> p : proposals) {
            if (p.baseOffset() == baseOffset) {
                p.waiters().add(waiter);
                return true;
            }
        }
        return false;
    }

    /**
     * {@code committed} committed: the proposal it is gets {@code value}; proposals it
     * overwrote fail with {@code lost}.
     */
    public void committed(Entry committed, T value, Supplier<? extends RuntimeException> lost) {
        while (!proposals.isEmpty() && proposals.peek().baseOffset() <= committed.lastOffset()) {
            Proposal<T> p = proposals.poll();
            if (p.baseOffset() == committed.baseOffset() && p.term() == committed.term()) {
                p.waiters().forEach(w -> w.complete(value));
            } else {
                RuntimeException e = lost.get();
                p.waiters().forEach(w -> w.completeExceptionally(e));
            }
        }
    }

    /**
     * Fails every waiter (leadership lost, group stopped) with {@code cause} marked
     * {@code outcome_unknown}: their proposals may or may not commit.
     */
    public void failAll(ApiException cause) {
        if (proposals.isEmpty()) {
            return;
        }
        ApiException unknown = cause.withOutcomeUnknown();
        while (!proposals.isEmpty()) {
            proposals.poll().waiters().forEach(w -> w.completeExceptionally(unknown));
        }
    }

    public boolean isEmpty() {
        return proposals.isEmpty();
    }
}
