package io.flotilla.broker.groups;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.flotilla.api.v1.Assignor;
import io.flotilla.api.v1.ErrorReason;
import io.flotilla.api.v1.GroupState;
import io.flotilla.broker.groups.GroupCommand.CommitOffsets;
import io.flotilla.broker.groups.GroupCommand.ExpireMember;
import io.flotilla.broker.groups.GroupCommand.Heartbeat;
import io.flotilla.broker.groups.GroupCommand.LeaveGroup;
import io.flotilla.broker.groups.GroupCommand.OffsetCommit;
import io.flotilla.broker.groups.GroupCommand.TopicPartitionsChanged;
import io.flotilla.broker.groups.GroupResult.MemberAssignment;
import io.flotilla.store.TopicPartition;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Random joins, leaves, heartbeats that do or do not release what was revoked, lost answers,
 * subscription changes, commits, silences and evictions, and topics created, grown and
 * deleted, played by simulated members of two groups against a coordinator state machine. After
 * every step: no partition has two holders, no live member consumes a partition the
 * coordinator does not count as its own (so no two live members consume one partition), a
 * commit is accepted only for held partitions, and a replica restored from a snapshot holds an
 * equal state and, fed the same entries as bytes, answers and evolves identically. At the end,
 * members that keep heartbeating own every subscribed partition and the groups are stable.
 */
class GroupStateMachinePropertyTest {

    private static final List<String> GROUPS = List.of("g", "h");
    private static final List<String> TOPICS = List.of("t0", "t1", "t2", "t3");
    private static final int CLIENTS_PER_GROUP = 5;

    @Test
    void noPartitionEverHasTwoOwnersSnapshotsReplayAlikeAndHeartbeatingMembersConverge() {
        long seed = Long.getLong("flotilla.seed", new SecureRandom().nextLong());
        System.out.println("GroupStateMachinePropertyTest: seed " + seed + " (replay: -Dflotilla.seed=" + seed + ")");
        Random random = new Random(seed);
        Map<String, Integer> outcomes = new TreeMap<>();
        for (int trial = 0; trial < 80; trial++) {
            Simulation sim = new Simulation(random, "seed " + seed + ", trial " + trial, outcomes);
            for (int step = 0; step < 200; step++) {
                sim.randomStep();
                sim.checkInvariants();
            }
            sim.settle();
        }
        System.out.println("GroupStateMachinePropertyTest: " + outcomes);
        for (String expected : List.of("MemberAssignment", "MemberLeft", "MemberExpired", "OffsetsCommitted",
                "TopicsChanged", "STALE_MEMBER_EPOCH", "UNKNOWN_MEMBER", "PARTITION_NOT_OWNED")) {
            assertTrue(outcomes.containsKey(expected), "the walk must reach " + expected + ": " + outcomes);
        }
    }

    /** A consumer as the protocol describes it, which may miss answers and be slow to release. */
    private static final class Client {
        final String group;
        final String id;
        int epoch;
        List<String> subscription = List.of();
        Set<TopicPartition> held = new TreeSet<>(PartitionOrder.ORDER);
        /** Evicted without having heard of it yet: it may still consume, but must not commit. */
        boolean zombie;

        Client(String group, String id) {
            this.group = group;
            this.id = id;
        }

        void drop() {
            epoch = 0;
            held.clear();
            zombie = false;
        }
    }

    private static final class Simulation {
        final Random random;
        final String where;
        final Map<String, Integer> outcomes;
        final GroupStateMachine machine = new GroupStateMachine();
        GroupStateMachine replica = new GroupStateMachine();
        final Map<String, Integer> topics = new TreeMap<>();
        final List<Client> clients = new ArrayList<>();
        long offset;
        long nowMs = 1_700_000_000_000L;
        int step;

        Simulation(Random random, String where, Map<String, Integer> outcomes) {
            this.random = random;
            this.where = where;
            this.outcomes = outcomes;
            for (String group : GROUPS) {
                for (int i = 0; i < CLIENTS_PER_GROUP; i++) {
                    clients.add(new Client(group, group + "-m" + i));
                }
            }
            topics.put("t0", 1 + random.nextInt(6));
            apply(new TopicPartitionsChanged(new TreeMap<>(topics)));
        }

        GroupResult apply(GroupCommand command) {
            offset++;
            GroupResult result = machine.apply(offset, command);
            assertEquals(result, replica.apply(offset, ByteBuffer.wrap(GroupCodec.encode(command))), () -> at("the replica's answer"));
            assertEquals(machine.state(), replica.state(), () -> at("the replica's state after " + command));
            outcomes.merge(result instanceof GroupRejection r ? r.reason().name().substring("ERROR_REASON_".length())
                    : result.getClass().getSimpleName(), 1, Integer::sum);
            return result;
        }

        String at(String what) {
            return where + ", step " + step + ": " + what;
        }

        void randomStep() {
            step++;
            Client c = clients.get(random.nextInt(clients.size()));
            int kind = random.nextInt(100);
            if (kind < 12) {
                join(c, randomSubscription());
            } else if (kind < 55) {
                heartbeat(c, c.subscription, random.nextInt(3));
            } else if (kind < 60) {
                heartbeat(c, randomSubscription(), 0);
            } else if (kind < 64) {
                leave(c);
            } else if (kind < 76) {
                commit(c);
            } else if (kind < 86) {
                nowMs += random.nextInt(4_000);
                expireOverdue();
            } else if (kind < 89) {
                expireAnyway(c);
            } else if (kind < 95) {
                changeTopics();
            }
            if (random.nextInt(25) == 0) {
                byte[] snapshot = machine.snapshot();
                replica = new GroupStateMachine();
                replica.restore(snapshot);
                assertEquals(machine.state(), replica.state(), () -> at("the restored state"));
                assertArrayEquals(snapshot, replica.snapshot(), () -> at("the restored state's snapshot"));
            }
        }

        List<String> randomSubscription() {
            List<String> out = new ArrayList<>();
            for (String topic : TOPICS) {
                if (random.nextInt(3) == 0) {
                    out.add(topic);
                }
            }
            return out.isEmpty() ? List.of(TOPICS.get(random.nextInt(TOPICS.size()))) : out;
        }

        void join(Client c, List<String> subscription) {
            c.drop(); // a member joins owning nothing
            c.subscription = subscription;
            Assignor assignor = Assignor.forNumber(random.nextInt(3));
            GroupResult result = apply(new Heartbeat(c.group, c.id, 0, subscription, List.of(), assignor, 0, 0, "sim", "h", nowMs));
            adopt(c, assertInstanceOf(MemberAssignment.class, result, () -> at("a join")), true);
        }

        /** {@code behaviour}: 0 releases what the answer revoked, 1 keeps holding it for now, 2 misses the answer. */
        void heartbeat(Client c, List<String> subscription, int behaviour) {
            if (c.epoch == 0) {
                return;
            }
            c.subscription = subscription;
            GroupResult result = apply(new Heartbeat(c.group, c.id, c.epoch, subscription, List.copyOf(c.held),
                    Assignor.ASSIGNOR_UNSPECIFIED, 0, 0, "sim", "h", nowMs));
            if (result instanceof MemberAssignment answer) {
                assertFalse(c.zombie, () -> at("an evicted member's heartbeat is accepted"));
                if (behaviour < 2) {
                    adopt(c, answer, behaviour == 0);
                }
            } else {
                GroupRejection r = assertInstanceOf(GroupRejection.class, result);
                assertTrue(r.reason() == ErrorReason.ERROR_REASON_UNKNOWN_MEMBER
                        || r.reason() == ErrorReason.ERROR_REASON_STALE_MEMBER_EPOCH, () -> at(r.toString()));
                assertTrue(c.zombie || r.reason() == ErrorReason.ERROR_REASON_STALE_MEMBER_EPOCH,
                        at("a live member is unknown: " + r.message()));
                c.drop(); // fenced or evicted: it drops its partitions without committing
            }
        }

        void adopt(Client c, MemberAssignment answer, boolean release) {
            c.epoch = answer.memberEpoch();
            if (release) {
                c.held.clear();
            }
            c.held.addAll(answer.assignment());
        }

        void leave(Client c) {
            apply(new LeaveGroup(c.group, c.id));
            c.drop();
        }

        void commit(Client c) {
            List<OffsetCommit> offsets = new ArrayList<>();
            for (TopicPartition p : c.held) {
                if (random.nextBoolean()) {
                    offsets.add(new OffsetCommit(p, random.nextInt(1_000), ""));
                }
            }
            if (random.nextInt(4) == 0 && topics.containsKey("t0")) {
                TopicPartition any = new TopicPartition("t0", random.nextInt(topics.get("t0")));
                if (!c.held.contains(any)) {
                    offsets.add(new OffsetCommit(any, 1, "not mine"));
                }
            }
            if (offsets.isEmpty()) {
                return;
            }
            GroupMember before = machine.group(c.group).map(g -> g.members().get(c.id)).orElse(null);
            int epoch = c.epoch == 0 ? 1 + random.nextInt(5) : c.epoch;
            GroupResult result = apply(new CommitOffsets(c.group, c.id, epoch, offsets, nowMs));
            if (result instanceof GroupResult.OffsetsCommitted) {
                assertFalse(c.zombie, () -> at("an evicted member committed"));
                for (OffsetCommit o : offsets) {
                    assertTrue(before.holds(o.partition()), () -> at(c.id + " committed " + o.partition() + " it does not hold"));
                }
            }
        }

        void expireOverdue() {
            for (ExpireMember expiry : machine.overdueMembers(nowMs)) {
                assertInstanceOf(GroupResult.MemberExpired.class, apply(expiry), () -> at(expiry.toString()));
                clients.stream().filter(c -> c.id.equals(expiry.memberId())).forEach(c -> c.zombie = true);
            }
        }

        void expireAnyway(Client c) {
            GroupMember member = machine.group(c.group).map(g -> g.members().get(c.id)).orElse(null);
            int epoch = member == null || random.nextInt(4) == 0 ? 1 + random.nextInt(6) : member.memberEpoch();
            GroupResult result = apply(new ExpireMember(c.group, c.id, epoch, nowMs));
            if (result instanceof GroupResult.MemberExpired) {
                assertTrue(member.sessionExpired(nowMs) || member.revocationOverdue(nowMs), () -> at("evicted while not overdue"));
                c.zombie = true;
            }
        }

        void changeTopics() {
            String topic = TOPICS.get(random.nextInt(TOPICS.size()));
            int count = topics.getOrDefault(topic, 0);
            int next = random.nextInt(8) == 0 ? 0 : count + 1 + random.nextInt(3);
            if (next == 0) {
                topics.remove(topic);
            } else {
                topics.put(topic, next);
            }
            apply(new TopicPartitionsChanged(new TreeMap<>(Map.of(topic, next))));
        }

        void checkInvariants() {
            Map<TopicPartition, String> holders = new HashMap<>();
            for (ConsumerGroup group : machine.groups().values()) {
                holders.clear();
                for (GroupMember m : group.members().values()) {
                    Set<TopicPartition> held = new HashSet<>(m.assigned().keySet());
                    held.addAll(m.revoking().keySet());
                    for (TopicPartition p : held) {
                        String other = holders.put(p, m.memberId());
                        assertNull(other, () -> at(p + " is held by " + other + " and " + m.memberId() + " in group epoch "
                                + group.groupEpoch()));
                    }
                }
            }
            Map<String, Map<TopicPartition, String>> consumed = new HashMap<>();
            for (Client c : clients) {
                if (c.zombie || c.held.isEmpty()) {
                    continue;
                }
                GroupMember member = machine.group(c.group).map(g -> g.members().get(c.id)).orElse(null);
                assertTrue(member != null, () -> at("live client " + c.id + " holds " + c.held + " but is not a member"));
                for (TopicPartition p : c.held) {
                    assertTrue(member.holds(p), () -> at(c.id + " consumes " + p + ", which the coordinator does not count as its"));
                    String other = consumed.computeIfAbsent(c.group, k -> new HashMap<>()).put(p, c.id);
                    assertNull(other, () -> at(p + " is consumed by both " + other + " and " + c.id));
                }
            }
        }

        /** Time stops, evicted members rejoin, and every member heartbeats and releases promptly. */
        void settle() {
            for (int round = 0; round < 6; round++) {
                for (Client c : clients) {
                    if (c.zombie || (c.epoch == 0 && !c.subscription.isEmpty())) {
                        join(c, c.subscription);
                    } else {
                        heartbeat(c, c.subscription, 0);
                    }
                    checkInvariants();
                }
            }
            for (ConsumerGroup group : machine.groups().values()) {
                if (group.members().isEmpty()) {
                    continue;
                }
                assertEquals(GroupState.GROUP_STATE_STABLE, group.state(), () -> at("group " + group.groupId() + " after settling"));
                Set<TopicPartition> owned = new TreeSet<>(PartitionOrder.ORDER);
                group.members().values().forEach(m -> owned.addAll(m.assigned().keySet()));
                Set<TopicPartition> subscribed = new TreeSet<>(PartitionOrder.ORDER);
                for (String topic : group.subscribedTopics()) {
                    for (int p = 0; p < topics.getOrDefault(topic, 0); p++) {
                        subscribed.add(new TopicPartition(topic, p));
                    }
                }
                assertEquals(subscribed, owned, () -> at("group " + group.groupId() + " owns every subscribed partition"));
            }
            for (Client c : clients) {
                if (c.subscription.isEmpty()) {
                    continue; // never joined
                }
                GroupMember member = machine.group(c.group).map(g -> g.members().get(c.id)).orElse(null);
                if (member == null) {
                    fail(at(c.id + " is not a member after settling"));
                }
                assertEquals(member.assigned().keySet(), c.held, () -> at(c.id + " consumes what it owns"));
            }
        }
    }
}
