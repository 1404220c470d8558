package io.flotilla.broker.groups;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.flotilla.api.v1.Assignor;
import io.flotilla.api.v1.ErrorReason;
import io.flotilla.broker.groups.GroupResult.MemberAssignment;
import io.flotilla.store.TopicPartition;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** A coordinator state machine fed commands in log order, with a clock the test moves, and shorthands for them. */
final class GroupFixture {

    static final String GROUP = "g";

    final GroupStateMachine machine = new GroupStateMachine();
    long offset;
    long nowMs = 1_000_000;

    GroupResult apply(GroupCommand command) {
        return machine.apply(++offset, command);
    }

    /** Applies a command that must be rejected with {@code reason}, and checks that it changed nothing. */
    GroupRejection rejected(ErrorReason reason, GroupCommand command) {
        CoordinatorState before = machine.state();
        GroupRejection rejection = assertInstanceOf(GroupRejection.class, apply(command), command.toString());
        assertEquals(reason, rejection.reason(), rejection.message());
        assertEquals(before, machine.state(), "a rejected command changes nothing");
        return rejection;
    }

    void topics(Object... topicsAndCounts) {
        Map<String, Integer> counts = new TreeMap<>();
        for (int i = 0; i < topicsAndCounts.length; i += 2) {
            counts.put((String) topicsAndCounts[i], (Integer) topicsAndCounts[i + 1]);
        }
        assertInstanceOf(GroupResult.TopicsChanged.class, apply(new GroupCommand.TopicPartitionsChanged(new TreeMap<>(counts))));
    }

    static GroupCommand.Heartbeat heartbeat(String member, int epoch, List<String> topics, List<TopicPartition> owned,
            long nowMs) {
        return new GroupCommand.Heartbeat(GROUP, member, epoch, topics, owned, Assignor.ASSIGNOR_UNSPECIFIED, 0, 0,
                "client-" + member, "10.0.0.1", nowMs);
    }

    MemberAssignment join(String member, String... topics) {
        return assigned(heartbeat(member, 0, List.of(topics), List.of(), nowMs));
    }

    /** A heartbeat of a member subscribed as before, listing {@code owned}. */
    MemberAssignment beat(String member, int epoch, List<TopicPartition> owned) {
        List<String> topics = List.copyOf(machine.group(GROUP).orElseThrow().members().get(member).profile().subscribedTopics());
        return assigned(heartbeat(member, epoch, topics, owned, nowMs));
    }

    /** A heartbeat of a member that releases what its last answer revoked: it lists exactly {@code last}'s assignment. */
    MemberAssignment ack(String member, MemberAssignment last) {
        return beat(member, last.memberEpoch(), last.assignment());
    }

    /** Topic t of 4 partitions, all held by a (epoch 1); then b joins (group epoch 2). Returns a's last answer. */
    MemberAssignment aHoldsTAndBJoins() {
        topics("t", 4);
        MemberAssignment a = ack("a", join("a", "t"));
        join("b", "t");
        return a;
    }

    /** {@link #aHoldsTAndBJoins}, then a hands t/2 and t/3 over to b. Returns a's last answer and b's, both in epoch 2. */
    List<MemberAssignment> tSplitBetweenAAndB() {
        MemberAssignment a = ack("a", ack("a", aHoldsTAndBJoins()));
        return List.of(a, beat("b", 2, List.of()));
    }

    MemberAssignment assigned(GroupCommand.Heartbeat heartbeat) {
        return assertInstanceOf(MemberAssignment.class, apply(heartbeat), heartbeat.toString());
    }

    GroupMember member(String id) {
        return machine.group(GROUP).orElseThrow().members().get(id);
    }

    ConsumerGroup group() {
        return machine.group(GROUP).orElseThrow();
    }

    static TopicPartition tp(String topic, int partition) {
        return new TopicPartition(topic, partition);
    }

    /** Partitions of {@code topic} by index. */
    static List<TopicPartition> tps(String topic, int... partitions) {
        List<TopicPartition> out = new ArrayList<>();
        Arrays.stream(partitions).forEach(p -> out.add(tp(topic, p)));
        return out;
    }
}
