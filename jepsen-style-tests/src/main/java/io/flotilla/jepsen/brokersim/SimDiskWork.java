package io.flotilla.jepsen.brokersim;

import io.flotilla.broker.storage.DiskWork;
import io.flotilla.jepsen.sim.Range;
import io.flotilla.jepsen.sim.Scheduler;
import io.flotilla.jepsen.sim.SimEvent;
import io.flotilla.log.GroupCommit;
import io.flotilla.log.PartitionLog;
import io.flotilla.store.HardState;
import io.flotilla.store.NodeStore;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;
import java.util.random.RandomGenerator;

/**
 * One life of a simulated node's {@link DiskWork}: every fsync, hard-state write and disk
 * action completes at a simulated time a disk latency after it was asked for, as a scheduler
 * event, on the simulation's thread. The log's group commit is the broker's own
 * ({@link GroupCommit} over this executor). Work still pending when the node crashes never
 * happens: its events find the life over and do nothing, so what it would have written is lost.
 * A group's disk actions keep their order.
 */
final class SimDiskWork implements DiskWork {
    private final Scheduler scheduler;
    private final Range latency;
    private final RandomGenerator random;
    private final NodeStore store;
    private final BooleanSupplier alive;
    private final String node;
    private final GroupCommit groupCommit;
    /** Per group, when its last disk action is due: a later one must not overtake it. */
    private final Map<Long, Long> lastDue = new HashMap<>();

    /** @param alive whether the life this work belongs to still runs */
    SimDiskWork(Scheduler scheduler, Range latency, RandomGenerator random, NodeStore store, BooleanSupplier alive,
                String node) {
        this.scheduler = scheduler;
        this.latency = latency;
        this.random = random;
        this.store = store;
        this.alive = alive;
        this.node = node;
        this.groupCommit = new GroupCommit(flush -> later("fsync", flush));
    }

    private void later(String what, Runnable work) {
        scheduler.after(latency.draw(random), action(what, work));
    }

    private SimEvent.Action action(String what, Runnable work) {
        return new SimEvent.Action(node + " " + what, () -> {
            if (alive.getAsBoolean()) {
                work.run();
            }
        });
    }

    @Override
    public CompletableFuture<Long> whenDurable(PartitionLog log, long offset) {
        return groupCommit.whenDurable(log, offset);
    }

    @Override
    public void release(PartitionLog log) {
        groupCommit.release(log);
    }

    @Override
    public CompletableFuture<Void> writeHardState(long groupId, HardState state) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        later("hard state of group " + groupId, () -> {
            store.putHardState(groupId, state);
            done.complete(null);
        });
        return done;
    }

    @Override
    public <T> CompletableFuture<T> run(long groupId, IoAction<T> action) {
        CompletableFuture<T> result = new CompletableFuture<>();
        long due = Math.max(scheduler.now() + latency.draw(random), lastDue.getOrDefault(groupId, 0L));
        lastDue.put(groupId, due);
        scheduler.at(due, action("disk action of group " + groupId, () -> {
            try {
                result.complete(action.run());
            } catch (Throwable e) {
                result.completeExceptionally(e);
            }
        }));
        return result;
    }

    @Override
    public void close() {
        groupCommit.close();
    }
}
