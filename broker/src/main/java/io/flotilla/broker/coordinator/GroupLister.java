package io.flotilla.broker.coordinator;

import io.flotilla.api.v1.ConsumerGroupsGrpc;
import io.flotilla.api.v1.GroupListing;
import io.flotilla.api.v1.ListGroupsRequest;
import io.flotilla.api.v1.ListGroupsResponse;
import io.flotilla.broker.api.BrokerContext;
import io.flotilla.broker.api.Calls;
import io.flotilla.broker.groups.ConsumerGroup;
import io.grpc.Channel;
import io.grpc.Metadata;
import io.grpc.stub.MetadataUtils;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import java.util.stream.Collectors;

/**
 * ListGroups: the node asked collects the groups of every coordinator partition from the node
 * leading it, in one call per node (naming the partitions in {@link CallContext#PARTITIONS_HEADER}),
 * and its own with a read on each partition's loop. A partition whose leader does not answer
 * makes the answer incomplete rather than failed.
 */
final class GroupLister {
    /** How long a node waits for another's groups. */
    private static final long ASK_MS = 5_000;

    private final BrokerContext node;
    private final GroupCoordinator coordinator;
    private final IntFunction<Channel> channels;

    GroupLister(BrokerContext node, GroupCoordinator coordinator, IntFunction<Channel> channels) {
        this.node = node;
        this.coordinator = coordinator;
        this.channels = channels;
    }

    CompletableFuture<ListGroupsResponse> list(ListGroupsRequest request) {
        String asked = CallContext.askedPartitions();
        if (asked != null) {
            return local(parse(asked), request);
        }
        int[] leaders = coordinator.leaders();
        Map<Integer, List<Integer>> byLeader = new TreeMap<>();
        boolean complete = leaders.length > 0; // no coordinator partitions yet: nobody could be asked
        for (int i = 0; i < leaders.length; i++) {
            if (leaders[i] == 0) {
                complete = false;
            } else {
                byLeader.computeIfAbsent(leaders[i], n -> new ArrayList<>()).add(i);
            }
        }
        List<CompletableFuture<ListGroupsResponse>> answers = new ArrayList<>();
        byLeader.forEach((leader, indexes) -> answers.add(leader == node.nodeId() ? local(indexes, request)
                : remote(leader, indexes, request)));
        boolean allAsked = complete;
        return CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new)).handle((v, ignored) -> {
            SortedMap<String, GroupListing> groups = new TreeMap<>();
            boolean all = allAsked;
            for (CompletableFuture<ListGroupsResponse> answer : answers) {
                if (answer.isCompletedExceptionally()) {
                    all = false;
                    continue;
                }
                ListGroupsResponse r = answer.join();
                all &= r.getComplete();
                r.getGroupsList().forEach(g -> groups.put(g.getGroupId(), g));
            }
            return ListGroupsResponse.newBuilder().addAllGroups(groups.values()).setComplete(all).build();
        });
    }

    /** The groups of the partitions {@code indexes} this node leads; incomplete if it leads not all of them. */
    private CompletableFuture<ListGroupsResponse> local(List<Integer> indexes, ListGroupsRequest request) {
        Set<io.flotilla.api.v1.GroupState> states = Set.copyOf(request.getStatesList());
        List<CompletableFuture<List<ConsumerGroup>>> reads = indexes.stream().map(coordinator::groupsOf).toList();
        return CompletableFuture.allOf(reads.toArray(CompletableFuture[]::new)).handle((v, ignored) -> {
            ListGroupsResponse.Builder out = ListGroupsResponse.newBuilder().setComplete(true);
            for (CompletableFuture<List<ConsumerGroup>> read : reads) {
                if (read.isCompletedExceptionally()) {
                    out.setComplete(false);
                    continue;
                }
                for (ConsumerGroup g : read.join()) {
                    if (states.isEmpty() || states.contains(g.state())) {
                        out.addGroups(GroupAnswers.listing(g, node.nodeId()));
                    }
                }
            }
            return out.build();
        });
    }

    private CompletableFuture<ListGroupsResponse> remote(int leader, List<Integer> indexes, ListGroupsRequest request) {
        Channel channel = channels.apply(leader);
        if (channel == null) {
            return CompletableFuture.failedFuture(new IllegalStateException("no address for node " + leader));
        }
        Metadata headers = new Metadata();
        headers.put(CallContext.PARTITIONS_HEADER, indexes.stream().map(String::valueOf).collect(Collectors.joining(",")));
        FutureObserver<ListGroupsResponse> answer = new FutureObserver<>();
        ConsumerGroupsGrpc.newStub(channel).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
                .withDeadlineAfter(Math.max(1, Calls.waitMs(ASK_MS)), TimeUnit.MILLISECONDS).listGroups(request, answer);
        return answer.answer();
    }

    /** The partition indexes another node named; only nodes send it, so ones that do not parse are ignored. */
    private static List<Integer> parse(String header) {
        return Arrays.stream(header.split(",")).map(String::trim).filter(s -> s.matches("\\d{1,9}"))
                .map(Integer::valueOf).toList();
    }
}
