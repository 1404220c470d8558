package io.flotilla.broker.metadata;

import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The cluster metadata as of one point of the controller log: an immutable value, so a reader
 * on any thread holds a consistent view for as long as it likes. Each applied command makes a
 * new one ({@link CommandApplier}).
 *
 * @param version        the controller log offset of the last command that changed the
 *                       metadata, 0 before any (the log's first entry is its first leader's
 *                       no-op, so no command applies at 0); what clients see as
 *                       {@code metadata_version}. A rejected command leaves it as it was.
 * @param nodes          registered nodes by id
 * @param topics         topics by name
 * @param nextGroupId    the Raft group id the next partition gets: group ids are never reused,
 *                       so a replica of a deleted partition can never be taken for a new one
 * @param nextProducerId the first id of the next producer id block
 */
public record ClusterMetadata(long version, SortedMap<Integer, NodeRegistration> nodes, SortedMap<String, Topic> topics,
                              long nextGroupId, long nextProducerId) {

    /** Partition group ids start here; 0 is the controller group. */
    public static final long FIRST_GROUP_ID = 1;
    /** Producer ids start here; 0 means "no producer" on the wire. */
    public static final long FIRST_PRODUCER_ID = 1;

    public static final ClusterMetadata EMPTY =
            new ClusterMetadata(0, new TreeMap<>(), new TreeMap<>(), FIRST_GROUP_ID, FIRST_PRODUCER_ID);

    public ClusterMetadata {
        if (version < 0 || nextGroupId < FIRST_GROUP_ID || nextProducerId < FIRST_PRODUCER_ID) {
            throw new IllegalArgumentException("need version >= 0, nextGroupId >= 1, nextProducerId >= 1; got "
                    + version + ", " + nextGroupId + ", " + nextProducerId);
        }
        nodes = Collections.unmodifiableSortedMap(new TreeMap<>(nodes));
        topics = Collections.unmodifiableSortedMap(new TreeMap<>(topics));
        for (Map.Entry<Integer, NodeRegistration> e : nodes.entrySet()) {
            if (e.getKey() != e.getValue().nodeId()) {
                throw new IllegalArgumentException("node " + e.getValue().nodeId() + " is filed under id " + e.getKey());
            }
        }
        for (Map.Entry<String, Topic> e : topics.entrySet()) {
            if (!e.getKey().equals(e.getValue().name())) {
                throw new IllegalArgumentException("topic '" + e.getValue().name() + "' is filed under '" + e.getKey() + "'");
            }
        }
    }

    public Optional<Topic> topic(String name) {
        return Optional.ofNullable(topics.get(name));
    }

    /** Partition {@code index} of {@code topic}. */
    public record PartitionRef(Topic topic, int index) {
        public Partition partition() {
            return topic.partitions().get(index);
        }
    }

    /** The partition whose Raft group is {@code groupId}, if its topic exists (a scan: for rare commands). */
    public Optional<PartitionRef> partition(long groupId) {
        for (Topic t : topics.values()) {
            for (int p = 0; p < t.partitionCount(); p++) {
                if (t.partitions().get(p).groupId() == groupId) {
                    return Optional.of(new PartitionRef(t, p));
                }
            }
        }
        return Optional.empty();
    }

    ClusterMetadata withNodes(SortedMap<Integer, NodeRegistration> changed, long offset) {
        return new ClusterMetadata(offset, changed, topics, nextGroupId, nextProducerId);
    }

    ClusterMetadata withTopics(SortedMap<String, Topic> changed, long groupIdAfter, long offset) {
        return new ClusterMetadata(offset, nodes, changed, groupIdAfter, nextProducerId);
    }

    ClusterMetadata withNextProducerId(long next, long offset) {
        return new ClusterMetadata(offset, nodes, topics, nextGroupId, next);
    }
}
