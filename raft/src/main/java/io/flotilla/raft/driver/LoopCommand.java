package io.flotilla.raft.driver;

import io.flotilla.raft.RaftNode;
import io.flotilla.raft.RaftStorage;

import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/** What other threads ask of a loop; each runs on the loop thread and completes its future there. */
sealed interface LoopCommand {
    long groupId();

    /** Completed when the command has run, or failed if it cannot. */
    CompletableFuture<?> done();

    record AddGroup(long groupId, RaftStorage storage, GroupPersistence persistence, Applier applier,
                    CompletableFuture<Void> done) implements LoopCommand {
    }

    record RemoveGroup(long groupId, CompletableFuture<Void> done) implements LoopCommand {
    }

    record Call<T>(long groupId, Function<RaftNode, T> action, CompletableFuture<T> done) implements LoopCommand {
    }
}
