package io.flotilla.broker.node;

import io.flotilla.broker.coordinator.GroupCoordinator;
import io.flotilla.raft.driver.RaftDriver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Retention for every partition replica of this node, on one schedule: each pass asks each
 * hosted replica, on its group's loop thread, to apply its log's current retention limits
 * below what it has applied ({@code LogStorage.applyRetention}).
 *
 * <p>Every replica, leader or follower, decides on its own segments, as Kafka's do: retention
 * only ever deletes committed entries, which no replica will truncate or need to resend, with
 * one exception that Raft covers: a follower behind the leader's new log start is sent the
 * leader's snapshot (its producer state) and continues from that start. A pass only queues
 * work: the decision runs on each loop (in memory), and the deletion on each group's disk worker.
 */
final class RetentionScheduler implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RetentionScheduler.class);

    private final PartitionHost partitions;
    private final RaftDriver driver;
    private final ScheduledFuture<?> passes;

    RetentionScheduler(PartitionHost partitions, RaftDriver driver, ScheduledExecutorService timer, long intervalMs) {
        this.partitions = partitions;
        this.driver = driver;
        this.passes = timer.scheduleWithFixedDelay(this::pass, intervalMs, intervalMs, TimeUnit.MILLISECONDS);
    }

    private void pass() {
        partitions.hosted().forEach((groupId, hosted) -> {
            if (GroupCoordinator.coordinates(hosted.topic())) {
                return; // its state lives in snapshots, which compact its log: no retention applies
            }
            try {
                driver.call(groupId, node -> hosted.storage().applyRetention(hosted.replica().retentionBound(),
                                hosted.replica()::snapshotState))
                        .thenCompose(deleted -> deleted)
                        .whenComplete((done, e) -> {
                            if (e != null && partitions.hosted().containsKey(groupId)) {
                                log.warn("retention of {}-{} (group {}) failed", hosted.topic(), hosted.partition(),
                                        groupId, e);
                            }
                        });
            } catch (RuntimeException e) {
                // A failed pass must not end the schedule: the next one tries again.
                log.warn("retention of group {} could not be queued", groupId, e);
            }
        });
    }

    /** Stops the passes; one under way finishes queuing its work. */
    @Override
    public void close() {
        passes.cancel(false);
    }
}
