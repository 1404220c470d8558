package io.flotilla.broker.metadata;

import io.flotilla.api.v1.ErrorReason;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What makes a topic request valid whatever the cluster's state (common.proto, "Limits";
 * admin.proto, TopicConfig): a node checks these before proposing, so a bad request is answered
 * INVALID_ARGUMENT without a round trip to the controller, and applying checks them again.
 *
 * <p>Applying always uses {@link #DEFAULTS}, the limits of the API contract: every node must
 * decide a command alike, whatever it was configured with. A node may configure stricter limits
 * for what it proposes, never looser ones.
 *
 * @param maxPartitionsPerTopic the most partitions a topic may have (4096)
 * @param maxReplicationFactor  the most replicas a partition may have (7)
 */
public record TopicRules(int maxPartitionsPerTopic, int maxReplicationFactor) {

    public static final int MAX_NAME_LENGTH = 249;
    /** Names starting with this are reserved for the cluster's own topics. */
    public static final String INTERNAL_PREFIX = "__";
    /** The API contract's limit (common.proto, "Limits"), which applying enforces. */
    public static final int CONTRACT_MAX_PARTITIONS = 4096;
    /** The API contract's limit (common.proto, "Limits"), which applying enforces. */
    public static final int CONTRACT_MAX_REPLICATION_FACTOR = 7;
    public static final TopicRules DEFAULTS = new TopicRules(CONTRACT_MAX_PARTITIONS, CONTRACT_MAX_REPLICATION_FACTOR);

    private static final int NAME_SHOWN_CHARS = 60;

    public TopicRules {
        if (maxPartitionsPerTopic < 1 || maxPartitionsPerTopic > CONTRACT_MAX_PARTITIONS
                || maxReplicationFactor < 1 || maxReplicationFactor > CONTRACT_MAX_REPLICATION_FACTOR) {
            throw new IllegalArgumentException("topic limits must be within the controller's: partitions per topic 1 .. "
                    + CONTRACT_MAX_PARTITIONS + " (got " + maxPartitionsPerTopic + "), replication factor 1 .. "
                    + CONTRACT_MAX_REPLICATION_FACTOR + " (got " + maxReplicationFactor + ")");
        }
    }

    /** The name of an existing topic, internal or not: 1 .. 249 of [a-zA-Z0-9._-], not "." or "..". */
    public Optional<Rejection> checkName(String name) {
        if (name.isEmpty()) {
            return invalidName("topic name is empty; a name has 1 .. " + MAX_NAME_LENGTH + " characters from [a-zA-Z0-9._-]");
        }
        if (name.length() > MAX_NAME_LENGTH) {
            return invalidName("topic name " + shown(name) + " has " + name.length() + " characters; at most "
                    + MAX_NAME_LENGTH + " are allowed");
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (!isNameChar(c)) {
                return invalidName("topic name " + shown(name) + " has " + describe(c) + " at position " + i
                        + "; only letters a-z and A-Z, digits, '.', '_' and '-' are allowed");
            }
        }
        if (name.equals(".") || name.equals("..")) {
            return invalidName("topic name '" + name + "' is not allowed: '.' and '..' cannot be names");
        }
        return Optional.empty();
    }

    /**
     * The name of a topic to create: {@link #checkName} and, unless {@code internal}, not starting
     * "__" (an internal topic must).
     */
    public Optional<Rejection> checkNewTopicName(String name, boolean internal) {
        Optional<Rejection> syntax = checkName(name);
        if (syntax.isPresent()) {
            return syntax;
        }
        if (!internal && name.startsWith(INTERNAL_PREFIX)) {
            return invalidName("topic name " + shown(name) + " starts with \"" + INTERNAL_PREFIX
                    + "\", which is reserved for the cluster's internal topics; choose another name");
        }
        if (internal && !name.startsWith(INTERNAL_PREFIX)) {
            return invalidName("internal topic name " + shown(name) + " must start with \"" + INTERNAL_PREFIX + "\"");
        }
        return Optional.empty();
    }

    /**
     * The topic of a client's Produce: {@link #checkName}, and not internal ("__" prefix), since
     * only the cluster writes internal topics (clients may read them).
     */
    public Optional<Rejection> checkProduceTopicName(String name) {
        Optional<Rejection> syntax = checkName(name);
        if (syntax.isPresent() || !name.startsWith(INTERNAL_PREFIX)) {
            return syntax;
        }
        return invalidName("topic " + shown(name) + " is internal (it starts with \"" + INTERNAL_PREFIX
                + "\"): only the cluster writes it; clients may read it but not produce to it");
    }

    public Optional<Rejection> checkPartitionCount(int partitionCount) {
        if (partitionCount < 1 || partitionCount > maxPartitionsPerTopic) {
            return reject(ErrorReason.ERROR_REASON_INVALID_PARTITION_COUNT, "partition count must be 1 .. "
                    + maxPartitionsPerTopic + ", got " + partitionCount);
        }
        return Optional.empty();
    }

    /** The range alone; whether the cluster has that many nodes depends on its state. */
    public Optional<Rejection> checkReplicationFactor(int replicationFactor) {
        if (replicationFactor < 1 || replicationFactor > maxReplicationFactor) {
            return reject(ErrorReason.ERROR_REASON_INVALID_REPLICATION_FACTOR, "replication factor must be 1 .. "
                    + maxReplicationFactor + ", got " + replicationFactor);
        }
        return Optional.empty();
    }

    public Optional<Rejection> checkConfig(TopicConfigOverrides config) {
        for (Map.Entry<TopicConfigKey, Long> e : config.values().entrySet()) {
            TopicConfigKey key = e.getKey();
            if (!key.allows(e.getValue())) {
                return Optional.of(new Rejection(ErrorReason.ERROR_REASON_INVALID_CONFIG,
                        key.protoName() + " is " + e.getValue() + "; allowed: " + key.allowed(), key.protoName()));
            }
        }
        return Optional.empty();
    }

    /** An AlterTopicConfig: valid values to set, and no setting both set and reset. */
    public Optional<Rejection> checkAlter(TopicConfigOverrides set, Set<TopicConfigKey> reset) {
        for (TopicConfigKey key : reset) {
            if (set.get(key).isPresent()) {
                return Optional.of(new Rejection(ErrorReason.ERROR_REASON_INVALID_CONFIG,
                        key.protoName() + " is both set and reset; give it in only one of them", key.protoName()));
            }
        }
        return checkConfig(set);
    }

    /** Everything about a new topic that does not depend on the cluster's state. */
    public Optional<Rejection> checkNewTopic(String name, boolean internal, int partitionCount, int replicationFactor,
            TopicConfigOverrides config) {
        return checkNewTopicName(name, internal)
                .or(() -> checkPartitionCount(partitionCount))
                .or(() -> checkReplicationFactor(replicationFactor))
                .or(() -> checkConfig(config));
    }

    /**
     * Replica assignments as a proposer made them, assignment i for partition {@code
     * firstPartition + i}: each {@code replicationFactor} distinct node ids. Assignments made by
     * {@link Placement} always pass.
     */
    public static Optional<Rejection> checkAssignments(List<List<Integer>> assignments, int firstPartition,
            int replicationFactor) {
        for (int i = 0; i < assignments.size(); i++) {
            int p = firstPartition + i;
            List<Integer> nodes = assignments.get(i);
            if (nodes.size() != replicationFactor) {
                return reject(ErrorReason.ERROR_REASON_INVALID_REPLICATION_FACTOR, "partition " + p + " is assigned "
                        + nodes.size() + " replicas " + nodes + "; every partition needs " + replicationFactor);
            }
            if (new HashSet<>(nodes).size() != nodes.size()) {
                return reject(ErrorReason.ERROR_REASON_INVALID_REQUEST, "partition " + p + " is assigned " + nodes
                        + ": a node may hold only one replica of a partition");
            }
        }
        return Optional.empty();
    }

    private static boolean isNameChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
    }

    /** Quoted, and cut short: messages stay within the 512 bytes a status message keeps. */
    private static String shown(String name) {
        return "'" + (name.length() > NAME_SHOWN_CHARS ? name.substring(0, NAME_SHOWN_CHARS) + "..." : name) + "'";
    }

    private static String describe(char c) {
        String code = String.format("U+%04X", (int) c);
        return c > ' ' && c < 0x7f ? "'" + c + "' (" + code + ")" : code;
    }

    private static Optional<Rejection> invalidName(String message) {
        return reject(ErrorReason.ERROR_REASON_INVALID_TOPIC_NAME, message);
    }

    private static Optional<Rejection> reject(ErrorReason reason, String message) {
        return Optional.of(new Rejection(reason, message));
    }
}
