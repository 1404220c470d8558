package io.flotilla.broker.groups;

import io.flotilla.api.v1.Assignor;
import io.flotilla.api.v1.ErrorReason;
import io.flotilla.broker.groups.GroupCommand.CommitOffsets;
import io.flotilla.broker.groups.GroupCommand.DeleteGroup;
import io.flotilla.broker.groups.GroupCommand.ExpireMember;
import io.flotilla.broker.groups.GroupCommand.Heartbeat;
import io.flotilla.broker.groups.GroupCommand.LeaveGroup;
import io.flotilla.broker.groups.GroupCommand.OffsetCommit;
import io.flotilla.broker.groups.GroupCommand.ResetOffsets;
import io.flotilla.broker.groups.GroupCommand.TopicPartitionsChanged;
import io.flotilla.broker.metadata.TopicRules;
import io.flotilla.store.TopicPartition;

import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.IntFunction;
import java.util.regex.Pattern;

/**
 * What makes a group command valid whatever the state (common.proto, "Limits";
 * consumer_groups.proto): a coordinator checks these before proposing, so a bad request is
 * answered INVALID_ARGUMENT without a log entry, and applying checks them again.
 *
 * <p>These are the contract's limits, constants rather than settings: every replica must decide
 * a command alike, whatever it was configured with.
 */
public final class GroupRules {

    /** Members a group may have (errors.proto, GROUP_FULL). */
    public static final int MAX_MEMBERS = 1000;
    public static final int MAX_SUBSCRIBED_TOPICS = 1000;
    public static final int MAX_CLIENT_ID_BYTES = 255;
    public static final int MAX_METADATA_BYTES = 4096;
    public static final int DEFAULT_SESSION_TIMEOUT_MS = 10_000;
    public static final int MIN_SESSION_TIMEOUT_MS = 1_000;
    public static final int MAX_SESSION_TIMEOUT_MS = 300_000;
    public static final int DEFAULT_REBALANCE_TIMEOUT_MS = 30_000;
    public static final int MIN_REBALANCE_TIMEOUT_MS = 1_000;
    public static final int MAX_REBALANCE_TIMEOUT_MS = 600_000;
    /** A member heartbeats this many times per session timeout. */
    public static final int HEARTBEATS_PER_SESSION = 5;

    private static final Pattern GROUP_ID = Pattern.compile("[a-zA-Z0-9._-]{1," + TopicRules.MAX_NAME_LENGTH + "}");
    private static final Pattern MEMBER_ID = Pattern.compile("[\\x21-\\x7E]{1,64}");
    private static final int SHOWN_CHARS = 60;

    private GroupRules() {
    }

    /** The first thing wrong with {@code command} whatever the state, if any. */
    public static Optional<GroupRejection> check(GroupCommand command) {
        if (command instanceof Heartbeat c) {
            return checkHeartbeat(c);
        } else if (command instanceof LeaveGroup c) {
            return checkGroupId(c.groupId()).or(() -> checkMemberId(c.memberId()));
        } else if (command instanceof ExpireMember c) {
            return checkGroupId(c.groupId()).or(() -> checkMemberId(c.memberId())).or(() -> checkTime(c.nowMs()));
        } else if (command instanceof CommitOffsets c) {
            return checkCommit(c);
        } else if (command instanceof ResetOffsets c) {
            return checkGroupId(c.groupId()).or(() -> checkOffsets(c.offsets())).or(() -> checkTime(c.nowMs()));
        } else if (command instanceof DeleteGroup c) {
            return checkGroupId(c.groupId());
        } else if (command instanceof TopicPartitionsChanged c) {
            return checkPartitionCounts(c.partitionCounts());
        }
        throw new IllegalArgumentException("unknown command " + command);
    }

    /** Same characters and lengths as a topic name (common.proto, "Limits"). */
    public static Optional<GroupRejection> checkGroupId(String groupId) {
        if (!GROUP_ID.matcher(groupId).matches() || groupId.equals(".") || groupId.equals("..")) {
            return reject(ErrorReason.ERROR_REASON_INVALID_GROUP_ID, "group id " + shown(groupId) + " is not allowed: a group id has 1 .. "
                    + TopicRules.MAX_NAME_LENGTH + " characters from [a-zA-Z0-9._-] and is not '.' or '..'");
        }
        return Optional.empty();
    }

    /** 1 .. 64 printable ASCII characters (common.proto, "Limits"). */
    public static Optional<GroupRejection> checkMemberId(String memberId) {
        if (!MEMBER_ID.matcher(memberId).matches()) {
            return invalid("member id " + shown(memberId) + " is not allowed: a member id has 1 .. 64 printable ASCII "
                    + "characters (0x21 .. 0x7E); a UUID is a good choice");
        }
        return Optional.empty();
    }

    /** The session timeout a heartbeat asked for, 0 meaning the default. */
    public static int sessionTimeoutMs(int requested) {
        return requested == 0 ? DEFAULT_SESSION_TIMEOUT_MS : requested;
    }

    /** The rebalance timeout a heartbeat asked for, 0 meaning the default. */
    public static int rebalanceTimeoutMs(int requested) {
        return requested == 0 ? DEFAULT_REBALANCE_TIMEOUT_MS : requested;
    }

    static Optional<String> sessionTimeoutProblem(int timeoutMs) {
        return rangeProblem("session_timeout_ms", timeoutMs, MIN_SESSION_TIMEOUT_MS, MAX_SESSION_TIMEOUT_MS);
    }

    static Optional<String> rebalanceTimeoutProblem(int timeoutMs) {
        return rangeProblem("rebalance_timeout_ms", timeoutMs, MIN_REBALANCE_TIMEOUT_MS, MAX_REBALANCE_TIMEOUT_MS);
    }

    static Optional<String> partitionCountProblem(String topic, int count, int min) {
        return rangeProblem("the partition count of topic " + shown(topic), count, min, TopicRules.CONTRACT_MAX_PARTITIONS);
    }

    private static Optional<String> rangeProblem(String what, int value, int min, int max) {
        if (value < min || value > max) {
            return Optional.of(what + " is " + value + "; allowed: " + min + " .. " + max);
        }
        return Optional.empty();
    }

    private static Optional<GroupRejection> checkHeartbeat(Heartbeat c) {
        return checkGroupId(c.groupId())
                .or(() -> checkMemberId(c.memberId()))
                .or(() -> c.memberEpoch() < 0 ? invalid("member_epoch is " + c.memberEpoch() + "; send 0 to join, "
                        + "otherwise the epoch of the last answer") : Optional.empty())
                .or(() -> optionalTimeout(c.sessionTimeoutMs(), GroupRules::sessionTimeoutProblem))
                .or(() -> optionalTimeout(c.rebalanceTimeoutMs(), GroupRules::rebalanceTimeoutProblem))
                .or(() -> checkSubscription(c.subscribedTopics()))
                .or(() -> checkOwned(c))
                .or(() -> c.assignor() == Assignor.UNRECOGNIZED
                        ? invalid("assignor is not one this version knows: use UNIFORM, RANGE or UNSPECIFIED") : Optional.empty())
                .or(() -> utf8Length(c.clientId()) > MAX_CLIENT_ID_BYTES ? invalid("client_id has " + utf8Length(c.clientId())
                        + " bytes of UTF-8; at most " + MAX_CLIENT_ID_BYTES + " are allowed") : Optional.empty())
                .or(() -> checkTime(c.nowMs()));
    }

    private static Optional<GroupRejection> optionalTimeout(int timeoutMs, IntFunction<Optional<String>> problem) {
        return timeoutMs == 0 ? Optional.empty() : problem.apply(timeoutMs).map(p -> new GroupRejection(
                ErrorReason.ERROR_REASON_INVALID_REQUEST, p + " (or 0 for the default)"));
    }

    private static Optional<GroupRejection> checkSubscription(List<String> topics) {
        if (topics.size() > MAX_SUBSCRIBED_TOPICS) {
            return invalid("the subscription names " + topics.size() + " topics; at most " + MAX_SUBSCRIBED_TOPICS
                    + " are allowed");
        }
        for (String topic : topics) {
            Optional<GroupRejection> bad = checkTopicName(topic);
            if (bad.isPresent()) {
                return bad;
            }
            if (topic.startsWith(TopicRules.INTERNAL_PREFIX)) {
                return reject(ErrorReason.ERROR_REASON_INVALID_TOPIC_NAME, "topic " + shown(topic) + " is internal (it starts with \""
                        + TopicRules.INTERNAL_PREFIX + "\"): consumer groups cannot subscribe to it");
            }
        }
        return Optional.empty();
    }

    private static Optional<GroupRejection> checkOwned(Heartbeat c) {
        Optional<TopicPartition> twice = firstRepeated(c.ownedPartitions());
        if (twice.isPresent()) {
            return invalid("owned_partitions lists " + show(twice.get()) + " twice; list each partition once");
        }
        if (c.memberEpoch() == 0 && !c.ownedPartitions().isEmpty()) {
            return invalid("a join (member_epoch 0) lists no owned_partitions, but this one lists "
                    + c.ownedPartitions().size() + ": a joining member owns nothing yet");
        }
        return Optional.empty();
    }

    private static Optional<GroupRejection> checkCommit(CommitOffsets c) {
        Optional<GroupRejection> member;
        if (c.memberId().isEmpty()) {
            member = c.memberEpoch() == 0 ? Optional.empty() : invalid("a commit without membership (empty member_id) "
                    + "has member_epoch 0, got " + c.memberEpoch());
        } else {
            member = checkMemberId(c.memberId()).or(() -> c.memberEpoch() < 0
                    ? invalid("member_epoch is " + c.memberEpoch() + "; send the epoch of the last heartbeat answer")
                    : Optional.empty());
        }
        return checkGroupId(c.groupId()).or(() -> member).or(() -> checkOffsets(c.offsets())).or(() -> checkTime(c.nowMs()));
    }

    private static Optional<GroupRejection> checkOffsets(List<OffsetCommit> offsets) {
        if (offsets.isEmpty()) {
            return invalid("no offsets given: name at least one partition");
        }
        Optional<TopicPartition> twice = firstRepeated(offsets.stream().map(OffsetCommit::partition).toList());
        if (twice.isPresent()) {
            return invalid(show(twice.get()) + " is named twice; name each partition once");
        }
        for (OffsetCommit o : offsets) {
            if (o.offset() < 0) {
                return invalid("the offset for " + show(o.partition()) + " is " + o.offset() + "; offsets are >= 0 "
                        + "(the next offset to consume)");
            }
            int bytes = utf8Length(o.metadata());
            if (bytes > MAX_METADATA_BYTES) {
                return invalid("the metadata for " + show(o.partition()) + " has " + bytes + " bytes of UTF-8; at most "
                        + MAX_METADATA_BYTES + " are allowed");
            }
        }
        return Optional.empty();
    }

    private static Optional<GroupRejection> checkPartitionCounts(Map<String, Integer> counts) {
        for (Map.Entry<String, Integer> e : counts.entrySet()) {
            Optional<GroupRejection> bad = checkTopicName(e.getKey())
                    .or(() -> partitionCountProblem(e.getKey(), e.getValue(), 0).map(p -> new GroupRejection(
                            ErrorReason.ERROR_REASON_INVALID_PARTITION_COUNT, p + " (0: the topic is gone)")));
            if (bad.isPresent()) {
                return bad;
            }
        }
        return Optional.empty();
    }

    private static Optional<GroupRejection> checkTopicName(String topic) {
        return TopicRules.DEFAULTS.checkName(topic).map(r -> new GroupRejection(r.reason(), r.message()));
    }

    /** Times come from the coordinator leader's clock: milliseconds since the Unix epoch. */
    private static Optional<GroupRejection> checkTime(long nowMs) {
        return nowMs < 0 ? invalid("the coordinator's time is " + nowMs + "; times are >= 0") : Optional.empty();
    }

    private static Optional<TopicPartition> firstRepeated(Collection<TopicPartition> partitions) {
        Set<TopicPartition> seen = new TreeSet<>(PartitionOrder.ORDER);
        return partitions.stream().filter(p -> !seen.add(p)).findFirst();
    }

    private static int utf8Length(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }

    /** A partition as messages show it: "topic/partition". */
    static String show(TopicPartition partition) {
        return shown(partition.topic()) + "/" + partition.partition();
    }

    /** Quoted, and cut short: messages stay within the 512 bytes a status message keeps. */
    static String shown(String name) {
        return "'" + (name.length() > SHOWN_CHARS ? name.substring(0, SHOWN_CHARS) + "..." : name) + "'";
    }

    private static Optional<GroupRejection> invalid(String message) {
        return reject(ErrorReason.ERROR_REASON_INVALID_REQUEST, message);
    }

    private static Optional<GroupRejection> reject(ErrorReason reason, String message) {
        return Optional.of(new GroupRejection(reason, message));
    }
}
