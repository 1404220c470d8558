package io.flotilla.broker.metadata;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * Commands as proposers would send them, mostly placed and valid, with a share of what applying
 * must reject (taken names, unknown topics, bad values, unregistered nodes), drawn from a
 * seeded {@link Random} against the current state.
 */
final class RandomCommands {

    private static final List<String> NAMES = List.of("orders", "clicks", "a.b-c_d", "t1", "t2", "T-3", "__offsets");
    private static final List<String> BAD_NAMES = List.of("bad name", "..", "");
    private static final int NODE_IDS = 6;

    private final Random random;

    RandomCommands(Random random) {
        this.random = random;
    }

    MetadataCommand next(ClusterMetadata state) {
        int kind = random.nextInt(14);
        if (kind < 2) {
            int nodeId = rarely() ? 0 : 1 + random.nextInt(NODE_IDS);
            long incarnation = rarely() ? 0 : nodeId * 16L + random.nextInt(2) + 1;
            return new MetadataCommand.RegisterNode(nodeId, incarnation, "node" + nodeId + ":" + (9000 + random.nextInt(2)));
        } else if (kind < 5) {
            String name = newName(state);
            boolean internal = name.startsWith(TopicRules.INTERNAL_PREFIX) != rarely();
            int replicationFactor = 1 + random.nextInt(3);
            return new MetadataCommand.CreateTopic(name, internal, overrides(),
                    assignments(state, rarely() ? 0 : 1 + random.nextInt(4), replicationFactor));
        } else if (kind < 6) {
            return new MetadataCommand.DeleteTopic(existingName(state));
        } else if (kind < 7) {
            TopicConfigOverrides set = overrides();
            Set<TopicConfigKey> reset = EnumSet.noneOf(TopicConfigKey.class);
            for (TopicConfigKey key : TopicConfigKey.values()) {
                if (random.nextInt(6) == 0 && (set.get(key).isEmpty() || rarely())) {
                    reset.add(key);
                }
            }
            return new MetadataCommand.AlterTopicConfig(existingName(state), set, reset);
        } else if (kind < 9) {
            String name = existingName(state);
            Topic topic = state.topics().get(name);
            int current = topic == null ? 1 : topic.partitionCount();
            int replicationFactor = topic == null ? 1 : topic.replicationFactor();
            int added = rarely() ? 0 : 1 + random.nextInt(3);
            return new MetadataCommand.CreatePartitions(name, current + added, assignments(state, added, replicationFactor));
        } else if (kind < 10) {
            return new MetadataCommand.AllocateProducerIds(1 + random.nextInt(NODE_IDS + 1), rarely() ? 0 : 1 + random.nextInt(1000));
        } else if (kind < 11) {
            return preferredLeaders(state);
        } else if (kind < 13) {
            return alterReplicationFactor(state);
        }
        return replicasLeft(state);
    }

    /** Mostly placed over the registered nodes; now and then a factor or assignment applying refuses. */
    private MetadataCommand alterReplicationFactor(ClusterMetadata state) {
        String name = existingName(state);
        Topic topic = state.topics().get(name);
        int replicationFactor = rarely() ? random.nextInt(9) : 1 + random.nextInt(3);
        boolean placeable = topic != null && replicationFactor >= 1 && replicationFactor <= state.nodes().size();
        List<List<Integer>> assignments = placeable && !rarely() ? Placement.reassign(state, topic, replicationFactor)
                : assignments(state, topic == null ? 1 : topic.partitionCount(), Math.max(1, replicationFactor));
        return new MetadataCommand.AlterReplicationFactor(name, replicationFactor, assignments);
    }

    /** Mostly the leaving members of a partition that has some, at its epoch; now and then a stale epoch or a stranger. */
    private MetadataCommand replicasLeft(ClusterMetadata state) {
        List<Partition> withLeaving = state.topics().values().stream().flatMap(t -> t.partitions().stream())
                .filter(p -> !p.leaving().isEmpty()).toList();
        if (withLeaving.isEmpty() || rarely()) {
            return new MetadataCommand.ReplicasLeft(1 + random.nextInt(20), random.nextInt(3),
                    List.of(new io.flotilla.raft.MemberId(1 + random.nextInt(NODE_IDS), 1)));
        }
        Partition p = withLeaving.get(random.nextInt(withLeaving.size()));
        List<io.flotilla.raft.MemberId> left = random.nextBoolean() ? p.leaving() : p.leaving().subList(0, 1);
        return new MetadataCommand.ReplicasLeft(p.groupId(), rarely() ? p.epoch() + 1 : p.epoch(), left);
    }

    /** Mostly replicas of existing partitions; now and then a partition or node that is not. */
    private MetadataCommand preferredLeaders(ClusterMetadata state) {
        List<MetadataCommand.PreferredLeader> leaders = new ArrayList<>();
        int count = rarely() ? 0 : 1 + random.nextInt(3);
        for (int i = 0; i < count; i++) {
            String name = existingName(state);
            Topic topic = state.topics().get(name);
            int partition = topic == null || rarely() ? random.nextInt(5) : random.nextInt(topic.partitionCount());
            int nodeId = topic == null || partition >= topic.partitionCount() || rarely() ? 1 + random.nextInt(NODE_IDS + 1)
                    : topic.partitions().get(partition).replicas().get(random.nextInt(topic.replicationFactor())).nodeId();
            leaders.add(new MetadataCommand.PreferredLeader(name, partition, nodeId));
        }
        return new MetadataCommand.SetPreferredLeaders(leaders);
    }

    private boolean rarely() {
        return random.nextInt(20) == 0;
    }

    /** Mostly a name no topic has. */
    private String newName(ClusterMetadata state) {
        List<String> free = NAMES.stream().filter(n -> !state.topics().containsKey(n)).toList();
        return free.isEmpty() || rarely() ? anyName() : pick(free);
    }

    /** Mostly a topic's name. */
    private String existingName(ClusterMetadata state) {
        return state.topics().isEmpty() || rarely() ? anyName() : pick(List.copyOf(state.topics().keySet()));
    }

    private String anyName() {
        return pick(rarely() ? BAD_NAMES : NAMES);
    }

    private String pick(List<String> names) {
        return names.get(random.nextInt(names.size()));
    }

    /** Placed over the registered nodes when they suffice; otherwise over node ids that may not exist. */
    private List<List<Integer>> assignments(ClusterMetadata state, int partitions, int replicationFactor) {
        if (replicationFactor <= state.nodes().size() && !rarely()) {
            return Placement.assign(state, partitions, replicationFactor);
        }
        List<List<Integer>> out = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            List<Integer> nodes = new ArrayList<>();
            for (int r = 0; r < replicationFactor; r++) {
                nodes.add(1 + random.nextInt(NODE_IDS + 1));
            }
            out.add(nodes);
        }
        return out;
    }

    private TopicConfigOverrides overrides() {
        TopicConfigOverrides out = TopicConfigOverrides.EMPTY;
        for (TopicConfigKey key : TopicConfigKey.values()) {
            if (random.nextInt(4) == 0) {
                // flush policy 0 means "not set" on the wire, so no command carries it: 3 is its unknown value
                long[] candidates = {key.defaultValue(), key.defaultValue() * 2, -1, key == TopicConfigKey.FLUSH_POLICY ? 3 : 0};
                out = out.with(key, candidates[random.nextInt(rarely() ? 4 : 2)]);
            }
        }
        return out;
    }
}
