package io.flotilla.cli.client;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import io.flotilla.api.v1.BrokerGrpc;
import io.flotilla.api.v1.ConsumerGroupsGrpc;
import io.flotilla.api.v1.FindCoordinatorRequest;
import io.flotilla.api.v1.FindCoordinatorResponse;
import io.flotilla.api.v1.GetMetadataRequest;
import io.flotilla.api.v1.GetMetadataResponse;
import io.flotilla.api.v1.LeaderHint;
import io.grpc.Channel;
import io.grpc.Status;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A connection to a Flotilla cluster: channels to its nodes, the metadata that says which node
 * leads which partition and coordinates which group, and the retry rules every command shares.
 *
 * <p>Calls any node can answer ({@link #callAnyNode}) start at the bootstrap nodes and move on
 * to the next node when one cannot be reached. Calls for a partition ({@link #callLeader}) go to
 * its leader, and calls about a consumer group ({@link #callCoordinator}) to its coordinator; a
 * NOT_LEADER (NOT_COORDINATOR) answer names the new one and the call is resent there at once;
 * retriable failures (no leader during an election, a node starting, throttling) are retried
 * after a backoff that doubles per attempt, within {@link ClientConfig#maxAttempts()}.
 */
public final class FlotillaClient implements AutoCloseable {

    /** A blocking call to one node. */
    @FunctionalInterface
    public interface NodeCall<R> {
        R call(Channel channel);
    }

    /** An asynchronous call to a partition's leader or a group's coordinator. */
    @FunctionalInterface
    public interface LeaderCall<R> {
        ListenableFuture<R> start(Channel channel);
    }

    private final ClientConfig config;
    private final ChannelPool channels;
    private final MetadataCache metadata;
    private final ScheduledExecutorService scheduler;

    public FlotillaClient(ClientConfig config) {
        this.config = config;
        this.channels = new ChannelPool(config.requestTimeoutMs());
        this.metadata = new MetadataCache(config.bootstrap());
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "flotilla-client");
            t.setDaemon(true);
            return t;
        });
    }

    public ClientConfig config() {
        return config;
    }

    /**
     * Runs a call that any node answers, on the calling thread: bootstrap nodes first, then
     * every node metadata named. An unreachable node passes the call to the next one at once;
     * other retriable failures wait a backoff. Fails fast once every node was unreachable.
     *
     * @throws ClientException the refusal, or the last failure once attempts are used up
     */
    public <R> R callAnyNode(NodeCall<R> call) {
        List<HostPort> nodes = metadata.candidates();
        Set<HostPort> unreachable = new HashSet<>();
        ClientException last = null;
        for (int attempt = 1; attempt <= config.maxAttempts(); attempt++) {
            HostPort node = nodes.get((attempt - 1) % nodes.size());
            try {
                return call.call(channels.get(node));
            } catch (RuntimeException e) {
                last = ClientException.from(e, node);
                if (!last.retriable()) {
                    throw last;
                }
                if (last.connectionFailed()) {
                    unreachable.add(node);
                    channels.reconnect(node);
                    if (unreachable.containsAll(nodes)) {
                        throw last;
                    }
                    continue;
                }
                pause(config.backoffMs(attempt, last.retryAfterMs()));
            }
        }
        throw last;
    }

    /**
     * Fetches metadata for {@code topics} (all topics when empty) and remembers it.
     *
     * @throws ClientException NOT_FOUND TOPIC_NOT_FOUND when a topic does not exist
     */
    public GetMetadataResponse refreshMetadata(List<String> topics) {
        GetMetadataResponse response = callAnyNode(ch -> BrokerGrpc.newBlockingStub(ch)
                .getMetadata(GetMetadataRequest.newBuilder().addAllTopics(topics).build()));
        metadata.apply(response);
        return response;
    }

    /** The topic's partition count from the metadata fetched last; -1 when the topic was not fetched. */
    public int partitionCount(String topic) {
        return metadata.partitionCount(topic);
    }

    /**
     * Runs a call on a partition's leader, redirecting on NOT_LEADER and retrying retriable
     * failures (including an expired deadline: only use this for calls that are safe to
     * repeat). The topic's metadata must have been fetched ({@link #refreshMetadata}).
     * Completes with the answer, or exceptionally with a {@link ClientException}.
     */
    public <R> CompletableFuture<R> callLeader(String topic, int partition, LeaderCall<R> call) {
        return callRouted(metadata.partition(topic, partition), call);
    }

    /**
     * Asks any node for a group's coordinator (consumer_groups.proto, FindCoordinator) and
     * remembers it for {@link #callCoordinator}. Fails fast, as {@link #callAnyNode} does, when
     * no node can be reached.
     *
     * @throws ClientException the refusal (INVALID_GROUP_ID, or NO_LEADER once attempts are used up)
     */
    public LeaderHint findCoordinator(String groupId) {
        FindCoordinatorResponse found = callAnyNode(ch -> ConsumerGroupsGrpc.newBlockingStub(ch)
                .findCoordinator(FindCoordinatorRequest.newBuilder().setGroupId(groupId).build()));
        metadata.group(groupId).learn(found.getCoordinator());
        return found.getCoordinator();
    }

    /**
     * Runs a call on a group's coordinator, as {@link #callLeader} does on a partition's leader:
     * a NOT_COORDINATOR answer names the coordinator and the call is resent there at once. With
     * no coordinator known ({@link #findCoordinator}), the call starts at any node.
     */
    public <R> CompletableFuture<R> callCoordinator(String groupId, LeaderCall<R> call) {
        return callRouted(metadata.group(groupId), call);
    }

    /**
     * Waits for a call's answer.
     *
     * @throws ClientException why the call failed
     */
    public static <R> R await(CompletableFuture<R> call) {
        try {
            return call.join();
        } catch (CompletionException e) {
            throw ClientException.from(e.getCause(), null);
        }
    }

    private <R> CompletableFuture<R> callRouted(MetadataCache.Route route, LeaderCall<R> call) {
        CompletableFuture<R> result = new CompletableFuture<>();
        attemptRouted(route, call, 1, false, result);
        return result;
    }

    /** @param earlierUnknown whether an earlier attempt of this call failed with its outcome unknown */
    private <R> void attemptRouted(MetadataCache.Route route, LeaderCall<R> call, int attempt,
            boolean earlierUnknown, CompletableFuture<R> result) {
        if (result.isDone()) {
            return; // cancelled by the caller
        }
        HostPort node = route.target();
        ListenableFuture<R> future;
        try {
            future = call.start(channels.get(node));
        } catch (RuntimeException e) {
            result.completeExceptionally(e);
            return;
        }
        result.whenComplete((r, t) -> future.cancel(true));
        Futures.addCallback(future, new FutureCallback<R>() {
            @Override
            public void onSuccess(R answer) {
                result.complete(answer);
            }

            @Override
            public void onFailure(Throwable t) {
                ClientException e = ClientException.from(t, node);
                long delayMs = retryDelayMs(route, node, e, attempt);
                if (delayMs < 0 || attempt >= config.maxAttempts()) {
                    result.completeExceptionally(earlierUnknown ? e.resentAfterUnknownOutcome() : e);
                } else {
                    boolean unknown = earlierUnknown || e.mayHaveTakenEffect();
                    scheduler.schedule(() -> attemptRouted(route, call, attempt + 1, unknown, result),
                            delayMs, TimeUnit.MILLISECONDS);
                }
            }
        }, scheduler);
    }

    /** Where a call for the partition goes: its leader, or any node when none is known (it will name the leader). */
    HostPort leaderOrAnyNode(String topic, int partition) {
        return metadata.partition(topic, partition).target();
    }

    /**
     * Learns from a failed partition call what to do next: -1 to give up, else the pause before
     * the next attempt (0 after a redirect to a newly named leader).
     */
    long retryDelayMs(String topic, int partition, HostPort asked, ClientException e, int attempt) {
        return retryDelayMs(metadata.partition(topic, partition), asked, e, attempt);
    }

    private long retryDelayMs(MetadataCache.Route route, HostPort asked, ClientException e, int attempt) {
        boolean redirect = e.reason() == route.redirect();
        Optional<LeaderHint> hint = redirect ? e.leaderHint() : Optional.empty();
        if (hint.isPresent()) {
            route.learn(hint.get());
            if (!hint.get().getAddress().equals(asked.toString())) {
                return 0;
            }
        }
        // errors.proto: FAILED_PRECONDITION other than a redirect is retriable only once the state
        // changed (members left, nodes were added), which repeating the call does not bring about.
        boolean repeatable = e.retriable() && (redirect || e.code() != Status.Code.FAILED_PRECONDITION);
        if (!repeatable && e.code() != Status.Code.DEADLINE_EXCEEDED) {
            return -1;
        }
        // A node that is down, hangs, or no longer leads without knowing who does: ask any node next.
        // One that answers "no leader yet" or "busy" is asked again.
        boolean unreachable = e.connectionFailed() || e.code() == Status.Code.DEADLINE_EXCEEDED;
        if (unreachable || (redirect && hint.isEmpty())) {
            route.forget(asked);
        }
        if (unreachable) {
            channels.reconnect(asked);
        }
        return config.backoffMs(attempt, e.retryAfterMs());
    }

    Channel channel(HostPort node) {
        return channels.get(node);
    }

    ScheduledExecutorService scheduler() {
        return scheduler;
    }


    private static void pause(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ClientException.local(Status.Code.CANCELLED, "interrupted while waiting to retry");
        }
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
        channels.close();
    }
}
