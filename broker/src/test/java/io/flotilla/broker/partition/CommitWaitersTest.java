package io.flotilla.broker.partition;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flotilla.api.v1.ErrorReason;
import io.flotilla.broker.api.ApiException;
import io.flotilla.raft.Entry;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

/** What a waiter learns about its proposal: committed, overwritten (nothing written), or unknown. */
class CommitWaitersTest {

    private final CommitWaiters<String> waiters = new CommitWaiters<>();

    @Test
    void aProposalCommittedInItsTermCompletesAndOneOverwrittenFailsAsNotWritten() {
        CompletableFuture<String> kept = new CompletableFuture<>();
        CompletableFuture<String> overwritten = new CompletableFuture<>();
        waiters.add(entry(10, 2), kept);
        waiters.add(entry(11, 2), overwritten);

        waiters.committed(entry(10, 2), "applied", CommitWaitersTest::lost);
        waiters.committed(entry(11, 3), null, CommitWaitersTest::lost);

        assertEquals("applied", kept.join());
        ApiException e = failure(overwritten);
        assertEquals(ErrorReason.ERROR_REASON_NOT_LEADER, e.detail().getReason());
        assertFalse(e.detail().getOutcomeUnknown(), "another entry committed at its offset: it never will");
        assertTrue(waiters.isEmpty());
    }

    @Test
    void proposalsFailedByALostLeadershipSayTheirOutcomeIsUnknown() {
        CompletableFuture<String> first = new CompletableFuture<>();
        CompletableFuture<String> second = new CompletableFuture<>();
        waiters.add(entry(10, 2), first);
        waiters.add(entry(11, 2), second);

        waiters.failAll(lost());

        for (CompletableFuture<String> waiter : List.of(first, second)) {
            ApiException e = failure(waiter);
            assertEquals(ErrorReason.ERROR_REASON_NOT_LEADER, e.detail().getReason());
            assertTrue(e.detail().getOutcomeUnknown(), "the next leader may still commit it");
        }
        assertTrue(waiters.isEmpty());
    }

    private static ApiException lost() {
        return ApiException.of(ErrorReason.ERROR_REASON_NOT_LEADER, "node 1 no longer leads");
    }

    private static Entry entry(long offset, long term) {
        return new Entry(offset, 1, term, Entry.Type.DATA, ByteBuffer.allocate(0));
    }

    private static ApiException failure(CompletableFuture<String> waiter) {
        try {
            waiter.join();
        } catch (CompletionException e) {
            return (ApiException) e.getCause();
        }
        throw new AssertionError("the waiter completed");
    }
}
