package io.flotilla.cli.client;

import io.flotilla.api.v1.CommitOffsetsRequest;
import io.flotilla.api.v1.CommittedOffset;
import io.flotilla.api.v1.ConsumerGroupsGrpc;
import io.flotilla.api.v1.ErrorReason;
import io.flotilla.api.v1.HeartbeatRequest;
import io.flotilla.api.v1.HeartbeatResponse;
import io.flotilla.api.v1.OffsetCommit;
import io.flotilla.api.v1.TopicPartitions;
import io.grpc.Status;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A member of a consumer group, as consumer_groups.proto's "member protocol" describes it: it
 * heartbeats to the group's coordinator at the interval the coordinator answers, reads the
 * partitions the coordinator assigns it from their leaders ({@link Fetcher}), each from the
 * group's committed offset (or the reset policy's, when none is committed), and commits the
 * offsets the application says it processed.
 *
 * <p>Threads. The application calls {@link #poll}, {@link #commit} and {@link #close} from one
 * thread. Heartbeats, assignment changes and offset lookups run on the client's event thread,
 * which alone holds the membership's state.
 *
 * <p>Revocation. A partition an answer takes away is still the member's until it says otherwise:
 * it stops fetching it at the application's next call of poll or commit (at once when a poll is
 * waiting), because by then the application has handled what poll gave it and committed what it
 * chose to; then the next heartbeat goes at once, without the partition. What the application
 * polled and did not commit goes to the partition's next owner again: the group delivers at
 * least once. A newly assigned partition starts at the offset the answer that gave it names
 * (start_offsets: the group's committed offset then, so after its previous owner's last commit).
 *
 * <p>Failures. An answer of UNKNOWN_MEMBER or STALE_MEMBER_EPOCH (the member was evicted or
 * fenced), or no heartbeat answered for a session timeout, makes the member drop every partition
 * without committing and join again with the same member id. A coordinator that moved is
 * followed through its NOT_COORDINATOR answers, and one that cannot be reached, is electing or is
 * loading is asked again after a backoff ({@link FlotillaClient#callCoordinator}); a heartbeat
 * that still failed is warned about and the next one goes at the usual interval. A partition
 * whose fetch gave up on a retriable failure is fetched on, with a warning.
 */
public final class GroupConsumer implements AutoCloseable {

    /** Told of the member's partitions, and of warnings, on the client's event thread (so it must be quick). */
    public interface Listener {
        /**
         * The member took up {@code partition}: fetching starts at {@code offset}, the group's
         * committed offset or, without one, where the reset policy points. Called before any
         * record of it is fetched.
         */
        default void assigned(TopicPartition partition, long offset) {
        }

        /** The member stopped consuming {@code partition}: it released it, or lost it to fencing. */
        default void revoked(TopicPartition partition) {
        }

        /** Something worth a line on the console that does not stop the consumer. */
        default void warn(String message) {
        }
    }

    /** Answers that say the coordinator no longer counts this member as it is: it must rejoin. */
    private static final Set<ErrorReason> FENCED = EnumSet.of(ErrorReason.ERROR_REASON_UNKNOWN_MEMBER,
            ErrorReason.ERROR_REASON_STALE_MEMBER_EPOCH, ErrorReason.ERROR_REASON_PARTITION_NOT_OWNED);

    /** A partition the coordinator gave this member, listed in its heartbeats until released. */
    private static final class Owned {
        final TopicPartition partition;
        /** Fetching started; false while its start offset is being looked up. */
        boolean fetching;
        /** Revoked: fetching stops at the application's next poll or commit. */
        boolean revoking;
        /** Where fetching started, raised by each commit: committing below it would take the group back. */
        long floor = -1;

        Owned(TopicPartition partition) {
            this.partition = partition;
        }
    }

    private final FlotillaClient client;
    private final String groupId;
    private final String memberId = UUID.randomUUID().toString();
    private final List<String> topics;
    private final GroupConsumerConfig config;
    private final Listener listener;
    private final ScheduledExecutorService events;
    private final Fetcher fetcher;
    private final CompletableFuture<Void> joined = new CompletableFuture<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    /** Completed once {@link #close} is done, for whoever else calls it meanwhile. */
    private final CompletableFuture<Void> closeDone = new CompletableFuture<>();
    /** Set on the event thread when a partition starts revoking; the application's thread acts on it. */
    private volatile boolean revocationPending;
    /** A refusal that ends the membership (a bad group id or subscription): poll and commit throw it. */
    private volatile ClientException fatal;

    // The event thread only.
    private final SortedMap<TopicPartition, Owned> owned = new TreeMap<>();
    private int memberEpoch;
    /** Counts joins: an answer to a call made before the member last rejoined is out of date. */
    private int session;
    private boolean everJoined;
    private int heartbeatIntervalMs;
    private long lastAnsweredNanos;
    private boolean heartbeatInFlight;
    private boolean heartbeatWanted;
    private ScheduledFuture<?> nextHeartbeat;
    /** Set by close: completed once the leave was answered (or given up). */
    private CompletableFuture<Void> leaving;

    private GroupConsumer(FlotillaClient client, String groupId, List<String> topics, GroupConsumerConfig config,
            Listener listener) {
        this.client = client;
        this.groupId = groupId;
        this.topics = List.copyOf(new TreeSet<>(topics));
        this.config = config;
        this.listener = listener;
        this.events = client.scheduler();
        this.fetcher = new Fetcher(client, config.fetch(), listener::warn);
    }

    /**
     * Joins {@code groupId} subscribed to {@code topics} (which need not exist yet: their
     * partitions are assigned once created) and waits for the coordinator's first answer.
     *
     * @throws ClientException the join's refusal (an invalid group id or topic name, a full
     *     group), or why the coordinator could not be reached
     */
    public static GroupConsumer start(FlotillaClient client, String groupId, List<String> topics,
            GroupConsumerConfig config, Listener listener) {
        if (topics.isEmpty()) {
            throw new IllegalArgumentException("a group member subscribes to at least one topic");
        }
        GroupConsumer consumer = new GroupConsumer(client, groupId, topics, config, listener);
        consumer.events.execute(consumer::heartbeat);
        try {
            FlotillaClient.await(consumer.joined);
        } catch (RuntimeException e) {
            consumer.close();
            throw e;
        }
        return consumer;
    }

    /** The member id this consumer chose, as DescribeGroup shows it. */
    public String memberId() {
        return memberId;
    }

    /**
     * Waits at most {@code timeoutMs} for the next records of a partition this member consumes,
     * in offset order within a partition. Calling it tells the consumer the application is done
     * with the records the previous call returned.
     *
     * @return records of one partition; empty ({@code records()} empty) when none came in time
     * @throws ClientException when a partition can no longer be read (it was deleted), or the
     *     coordinator refused the membership for good
     * @throws IllegalStateException after {@link #close}
     */
    public Consumer.Records poll(long timeoutMs) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (true) {
            checkUsable();
            stopRevoked();
            long leftNanos = deadline - System.nanoTime();
            Fetcher.Taken taken = fetcher.poll(Math.max(0, TimeUnit.NANOSECONDS.toMillis(leftNanos)));
            if (taken == null) {
                if (deadline - System.nanoTime() <= 0) {
                    checkUsable();
                    stopRevoked();
                    return Consumer.Records.NONE;
                }
                continue; // woken: a revocation, or a refusal, to act on
            }
            ClientException failure = taken.failure();
            if (failure == null) {
                return new Consumer.Records(taken.partition().topic(), taken.partition().partition(), taken.records());
            }
            if (!(failure.retriable() || failure.code() == Status.Code.DEADLINE_EXCEEDED)) {
                throw failure;
            }
            listener.warn("fetching " + taken.partition() + " failed (" + failure.getMessage() + "); trying again");
            fetcher.resume(taken.partition());
        }
    }

    /**
     * Commits, for each partition, the next offset to consume (the last processed offset + 1),
     * and waits until the coordinator has it. Offsets of partitions this member no longer owns
     * (released, or lost when it was fenced) are left out, and so are offsets not above where
     * the member's reading of the partition started or last committed: they would take the group
     * back. Their records go to the partition's next owner again.
     *
     * @return the offsets committed
     * @throws ClientException when the coordinator could not be reached, or refused the
     *     membership for good, or fenced the member in answer to a resend of an attempt whose
     *     outcome is unknown; whether the offsets were committed is then unknown
     * @throws IllegalArgumentException for a negative offset
     */
    public Map<TopicPartition, Long> commit(Map<TopicPartition, Long> nextOffsets) {
        checkUsable();
        nextOffsets.forEach((p, offset) -> {
            if (offset < 0) {
                throw new IllegalArgumentException("the offset to commit for " + p + " is " + offset
                        + "; commit the next offset to consume, >= 0");
            }
        });
        SortedMap<TopicPartition, Long> wanted = new TreeMap<>(nextOffsets);
        CompletableFuture<Map<TopicPartition, Long>> done = new CompletableFuture<>();
        events.execute(() -> commitNow(wanted, done));
        try {
            return FlotillaClient.await(done);
        } finally {
            stopRevoked();
        }
    }

    /**
     * Leaves the group (its partitions are reassigned at once) and stops fetching; commit first
     * what was processed. Waits for the coordinator's answer at most the request timeout. Any
     * thread may call it, also while the application's thread polls (which then throws
     * IllegalStateException); a second call waits for the first to finish.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            closeDone.join(); // bounded: the first call waits at most the request timeout
            return;
        }
        try {
            leaveAndStop();
        } finally {
            closeDone.complete(null);
        }
    }

    private void leaveAndStop() {
        fetcher.close();
        CompletableFuture<Void> left = new CompletableFuture<>();
        try {
            events.execute(() -> leave(left));
            left.get(client.config().requestTimeoutMs(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            notLeft(ClientException.from(e.getCause(), null).getMessage());
        } catch (RejectedExecutionException e) {
            notLeft("the client is closed");
        } catch (TimeoutException e) {
            notLeft("no answer within " + client.config().requestTimeoutMs() + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void notLeft(String why) {
        listener.warn("could not leave group '" + groupId + "' (" + why + "); the coordinator evicts this member after"
                + " its session timeout");
    }

    private void checkUsable() {
        if (closed.get()) {
            throw new IllegalStateException("the group consumer is closed");
        }
        ClientException refused = fatal;
        if (refused != null) {
            throw refused;
        }
    }

    /**
     * On the application's thread, which holds no record it has not finished with: has the
     * event thread stop the revoked partitions and release them.
     */
    private void stopRevoked() {
        if (revocationPending) {
            FlotillaClient.await(CompletableFuture.runAsync(this::releaseRevoked, events));
        }
    }

    // ------------------------------------------------------------------ the event thread

    private void releaseRevoked() {
        revocationPending = false;
        boolean released = false;
        for (Iterator<Owned> it = owned.values().iterator(); it.hasNext(); ) {
            Owned o = it.next();
            if (o.revoking) {
                fetcher.stop(o.partition);
                it.remove();
                listener.revoked(o.partition);
                released = true;
            }
        }
        if (released) {
            heartbeat(); // consumer_groups.proto: "then heartbeats at once"
        }
    }

    private void heartbeat() {
        if (leaving != null) {
            return;
        }
        if (heartbeatInFlight) {
            heartbeatWanted = true;
            return;
        }
        if (nextHeartbeat != null) {
            nextHeartbeat.cancel(false);
        }
        heartbeatInFlight = true;
        heartbeatWanted = false;
        HeartbeatRequest request = HeartbeatRequest.newBuilder()
                .setGroupId(groupId)
                .setMemberId(memberId)
                .setMemberEpoch(memberEpoch)
                .addAllSubscribedTopics(topics)
                .addAllOwnedPartitions(grouped(owned.keySet()))
                .setSessionTimeoutMs(config.sessionTimeoutMs())
                .setRebalanceTimeoutMs(config.rebalanceTimeoutMs())
                .setClientId(config.clientId())
                .build();
        int sentIn = session;
        // Shorter than a session: an answer that takes longer is worth less than a new attempt.
        long deadlineMs = Math.min(client.config().requestTimeoutMs(), config.effectiveSessionTimeoutMs() / 2);
        client.callCoordinator(groupId, ch -> ConsumerGroupsGrpc.newFutureStub(ch)
                        .withDeadlineAfter(deadlineMs, TimeUnit.MILLISECONDS).heartbeat(request))
                .whenCompleteAsync((answer, failure) -> heartbeatAnswered(sentIn, answer, failure), events);
    }

    private void heartbeatAnswered(int sentIn, HeartbeatResponse answer, Throwable failure) {
        heartbeatInFlight = false;
        if (failure == null) {
            everJoined = true; // even when leaving: this answer may be the join the leave has to undo
        }
        if (leaving != null) {
            sendLeave(); // after the heartbeat in flight: a join answered after the leave would join again
            return;
        }
        if (sentIn != session) {
            heartbeat(); // the member rejoined meanwhile: this answer is about the membership it dropped
            return;
        }
        if (failure != null) {
            heartbeatFailed(ClientException.from(failure, null));
            return;
        }
        lastAnsweredNanos = System.nanoTime();
        memberEpoch = answer.getMemberEpoch();
        heartbeatIntervalMs = answer.getHeartbeatIntervalMs();
        reconcile(partitionsOf(answer.getAssignmentList()), startOffsets(answer));
        joined.complete(null);
        if (heartbeatWanted) {
            heartbeat();
        } else {
            scheduleHeartbeat();
        }
    }

    private void heartbeatFailed(ClientException e) {
        if (FENCED.contains(e.reason())) {
            rejoin(e.getMessage());
            return;
        }
        boolean retriable = e.retriable() || e.code() == Status.Code.DEADLINE_EXCEEDED;
        if (!joined.isDone()) {
            joined.completeExceptionally(e); // start() throws it
            return;
        }
        if (!retriable) {
            fatal = e;
            fetcher.wake();
            return;
        }
        long silentMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - lastAnsweredNanos);
        if (memberEpoch != 0 && silentMs >= config.effectiveSessionTimeoutMs()) {
            rejoin("no heartbeat was answered for " + silentMs + " ms, so the coordinator has evicted this member ("
                    + e.getMessage() + ")");
            return;
        }
        listener.warn("a heartbeat to group '" + groupId + "' failed (" + e.getMessage() + "); trying again");
        scheduleHeartbeat();
    }

    private void scheduleHeartbeat() {
        nextHeartbeat = events.schedule(this::heartbeat, heartbeatIntervalMs, TimeUnit.MILLISECONDS);
    }

    /** Drops every partition without committing and joins again with epoch 0 (same member id). */
    private void rejoin(String why) {
        listener.warn("joining group '" + groupId + "' again: " + why);
        for (Owned o : owned.values()) {
            fetcher.stop(o.partition);
            revokedIfAnnounced(o);
        }
        owned.clear();
        revocationPending = false;
        memberEpoch = 0;
        session++;
        heartbeat();
    }

    /**
     * Takes up what the answer newly assigns, at the start offsets it gives, and starts revoking
     * what it no longer lists. A partition not yet being fetched is released at once: nothing of
     * it was read.
     */
    private void reconcile(Set<TopicPartition> assigned, Map<TopicPartition, Long> starts) {
        Map<Owned, Long> taken = new HashMap<>();
        for (TopicPartition p : assigned) {
            Owned o = owned.get(p);
            if (o == null) {
                Long start = starts.get(p);
                if (start == null) {
                    // Listed as owned in the request, released while it was on its way, and given
                    // back: the answer has no start for it, the next one will.
                    heartbeatWanted = true;
                    continue;
                }
                o = new Owned(p);
                owned.put(p, o);
                taken.put(o, start);
            }
            o.revoking = false; // given back before it was released: it goes on where it is
        }
        boolean releasedNow = false;
        for (Iterator<Owned> it = owned.values().iterator(); it.hasNext(); ) {
            Owned o = it.next();
            if (assigned.contains(o.partition) || o.revoking) {
                continue;
            }
            if (o.fetching) {
                o.revoking = true;
                revocationPending = true;
            } else {
                it.remove(); // its start was still being looked up: never announced, nothing read
                releasedNow = true;
            }
        }
        if (!taken.isEmpty()) {
            takeUp(taken);
        }
        if (revocationPending) {
            fetcher.wake();
        }
        if (releasedNow) {
            heartbeatWanted = true;
        }
    }

    /**
     * Starts newly assigned partitions where the heartbeat's answer says: the group's committed
     * offset, read in the same step of the coordinator that gave the partition (so after its
     * previous owner's last commit), or, for -1 (none committed), where the reset policy points.
     */
    private void takeUp(Map<Owned, Long> starts) {
        withMetadata(List.copyOf(starts.keySet())).whenCompleteAsync((known, failure) -> {
            if (failure != null) {
                retryLater(stillOwned(List.copyOf(starts.keySet())), failure, () -> takeUp(starts));
                return;
            }
            for (Owned o : stillOwned(List.copyOf(starts.keySet()))) {
                long committed = starts.get(o);
                if (committed >= 0) {
                    begin(o, committed);
                } else {
                    reset(o);
                }
            }
        }, events);
    }

    private void reset(Owned o) {
        Consumer.startOffset(client, o.partition, config.resetTo()).whenCompleteAsync((offset, failure) -> {
            if (owned.get(o.partition) != o) {
                return;
            }
            if (failure != null) {
                retryLater(List.of(o), failure, () -> reset(o));
            } else {
                begin(o, offset);
            }
        }, events);
    }

    private void begin(Owned o, long offset) {
        o.fetching = true;
        o.floor = offset;
        listener.assigned(o.partition, offset);
        fetcher.start(o.partition, offset);
    }

    private void retryLater(List<Owned> partitions, Throwable failure, Runnable again) {
        if (partitions.isEmpty() || leaving != null) {
            return;
        }
        listener.warn("cannot find where to start " + partitions.stream().map(o -> o.partition).toList() + " ("
                + ClientException.from(failure, null).getMessage() + "); trying again");
        events.schedule(again, Math.max(heartbeatIntervalMs, client.config().retryBackoffMaxMs()), TimeUnit.MILLISECONDS);
    }

    /** The partitions of {@code partitions} this member still owns as then (not released or dropped since). */
    private List<Owned> stillOwned(List<Owned> partitions) {
        return partitions.stream().filter(o -> owned.get(o.partition) == o).toList();
    }

    /** Completes once the client knows the partitions' topics well enough to find their leaders. */
    private CompletableFuture<Void> withMetadata(List<Owned> partitions) {
        Set<String> unknown = new TreeSet<>();
        partitions.forEach(o -> {
            if (client.partitionCount(o.partition.topic()) <= o.partition.partition()) {
                unknown.add(o.partition.topic());
            }
        });
        if (unknown.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        // GetMetadata is a blocking call: off the event thread.
        return CompletableFuture.runAsync(() -> client.refreshMetadata(List.copyOf(unknown)));
    }

    private void commitNow(SortedMap<TopicPartition, Long> wanted, CompletableFuture<Map<TopicPartition, Long>> done) {
        SortedMap<TopicPartition, Long> sending = new TreeMap<>();
        Map<TopicPartition, Owned> of = new HashMap<>();
        wanted.forEach((p, offset) -> {
            Owned o = owned.get(p);
            if (o != null && o.fetching && offset > o.floor) {
                sending.put(p, offset);
                of.put(p, o);
            }
        });
        if (sending.isEmpty()) {
            done.complete(Map.of());
            return;
        }
        CommitOffsetsRequest.Builder request = CommitOffsetsRequest.newBuilder().setGroupId(groupId)
                .setMemberId(memberId).setMemberEpoch(memberEpoch);
        sending.forEach((p, offset) -> request.addOffsets(OffsetCommit.newBuilder().setTopic(p.topic())
                .setPartition(p.partition()).setOffset(offset)));
        int sentIn = session;
        client.callCoordinator(groupId, ch -> ConsumerGroupsGrpc.newFutureStub(ch).commitOffsets(request.build()))
                .whenCompleteAsync((answer, failure) -> {
                    if (failure == null) {
                        of.forEach((p, o) -> o.floor = Math.max(o.floor, sending.get(p)));
                        done.complete(Collections.unmodifiableSortedMap(sending));
                        return;
                    }
                    ClientException e = ClientException.from(failure, null);
                    if (!FENCED.contains(e.reason())) {
                        done.completeExceptionally(e);
                        return;
                    }
                    if (sentIn == session) {
                        rejoin(e.getMessage());
                    }
                    if (e.mayHaveTakenEffect()) {
                        done.completeExceptionally(e); // fenced on a resend: the first attempt may have committed
                    } else {
                        done.complete(Map.of());
                    }
                }, events);
    }

    private void leave(CompletableFuture<Void> left) {
        leaving = left;
        if (nextHeartbeat != null) {
            nextHeartbeat.cancel(false);
        }
        owned.values().forEach(this::revokedIfAnnounced);
        owned.clear();
        if (!heartbeatInFlight) {
            sendLeave();
        }
    }

    /** Tells the listener a partition is gone if it was told the partition came ({@link #begin}). */
    private void revokedIfAnnounced(Owned o) {
        if (o.fetching) {
            listener.revoked(o.partition);
        }
    }

    private void sendLeave() {
        if (!everJoined) {
            leaving.complete(null); // never answered: nothing to leave
            return;
        }
        HeartbeatRequest request = HeartbeatRequest.newBuilder().setGroupId(groupId).setMemberId(memberId)
                .setLeave(true).build();
        client.callCoordinator(groupId, ch -> ConsumerGroupsGrpc.newFutureStub(ch).heartbeat(request))
                .whenComplete((answer, failure) -> {
                    if (failure != null) {
                        leaving.completeExceptionally(failure);
                    } else {
                        leaving.complete(null);
                    }
                });
    }

    private static Map<TopicPartition, Long> startOffsets(HeartbeatResponse answer) {
        Map<TopicPartition, Long> out = new HashMap<>();
        for (CommittedOffset c : answer.getStartOffsetsList()) {
            out.put(new TopicPartition(c.getTopic(), c.getPartition()), c.getOffset());
        }
        return out;
    }

    private static Set<TopicPartition> partitionsOf(List<TopicPartitions> listed) {
        Set<TopicPartition> out = new TreeSet<>();
        for (TopicPartitions t : listed) {
            for (int p : t.getPartitionsList()) {
                out.add(new TopicPartition(t.getTopic(), p));
            }
        }
        return out;
    }

    /** Partitions as the API lists them: one entry per topic. */
    private static List<TopicPartitions> grouped(Collection<TopicPartition> partitions) {
        SortedMap<String, TopicPartitions.Builder> byTopic = new TreeMap<>();
        for (TopicPartition p : partitions) {
            byTopic.computeIfAbsent(p.topic(), t -> TopicPartitions.newBuilder().setTopic(t)).addPartitions(p.partition());
        }
        return byTopic.values().stream().map(TopicPartitions.Builder::build).toList();
    }
}
