package io.flotilla.broker.node;

import io.flotilla.api.v1.HeartbeatRequest;
import io.flotilla.api.v1.HeartbeatResponse;
import io.flotilla.api.v1.TopicPartitions;

import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * A group member as a thin client runs one: it heartbeats with its epoch, subscription and
 * owned partitions, and adopts each answer at once (it has nothing to finish before releasing a
 * partition). Every answer is recorded in a shared history.
 */
final class TestMember {
    /** One heartbeat answer: what {@code member} was told it may consume in {@code epoch}. */
    record Observation(String member, int epoch, SortedSet<String> owned) {
    }

    final String id;
    private final String group;
    private final List<String> topics;
    private final int sessionTimeoutMs;
    private final GroupClient client;
    private final List<Observation> history;
    int epoch;
    SortedSet<String> owned = new TreeSet<>();
    /** When the last heartbeat was sent (System.nanoTime). */
    long lastSentNanos;

    TestMember(String id, String group, List<String> topics, int sessionTimeoutMs, GroupClient client,
               List<Observation> history) {
        this.id = id;
        this.group = group;
        this.topics = List.copyOf(topics);
        this.sessionTimeoutMs = sessionTimeoutMs;
        this.client = client;
        this.history = history;
    }

    HeartbeatResponse heartbeat() {
        HeartbeatRequest.Builder request = HeartbeatRequest.newBuilder().setGroupId(group).setMemberId(id)
                .setMemberEpoch(epoch).addAllSubscribedTopics(topics).setSessionTimeoutMs(sessionTimeoutMs)
                .setClientId("test-" + id);
        for (String topic : topics) {
            TopicPartitions.Builder mine = TopicPartitions.newBuilder().setTopic(topic);
            owned.stream().filter(p -> topicOf(p).equals(topic)).forEach(p -> mine.addPartitions(indexOf(p)));
            if (mine.getPartitionsCount() > 0) {
                request.addOwnedPartitions(mine);
            }
        }
        lastSentNanos = System.nanoTime();
        HeartbeatResponse answer = client.call(group, stub -> stub.heartbeat(request.build()));
        epoch = answer.getMemberEpoch();
        owned = names(answer.getAssignmentList());
        history.add(new Observation(id, epoch, owned));
        return answer;
    }

    void leave() {
        client.call(group, stub -> stub.heartbeat(HeartbeatRequest.newBuilder().setGroupId(group).setMemberId(id)
                .setLeave(true).build()));
        owned = new TreeSet<>();
    }

    /** "topic/partition" for each partition listed. */
    static SortedSet<String> names(List<TopicPartitions> lists) {
        SortedSet<String> out = new TreeSet<>();
        lists.forEach(l -> l.getPartitionsList().forEach(p -> out.add(l.getTopic() + "/" + p)));
        return out;
    }

    private static String topicOf(String name) {
        return name.substring(0, name.lastIndexOf('/'));
    }

    private static int indexOf(String name) {
        return Integer.parseInt(name.substring(name.lastIndexOf('/') + 1));
    }
}
