package io.flotilla.broker.metadata;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flotilla.api.v1.ErrorReason;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TopicRulesTest {

    private static final TopicRules RULES = TopicRules.DEFAULTS;

    @Test
    void aNameOf249CharactersIsAllowedAnd250IsNot() {
        assertEquals(Optional.empty(), RULES.checkName("a".repeat(249)));
        Rejection tooLong = RULES.checkName("a".repeat(250)).orElseThrow();
        assertEquals(ErrorReason.ERROR_REASON_INVALID_TOPIC_NAME, tooLong.reason());
        assertTrue(tooLong.message().contains("250 characters") && tooLong.message().contains("at most 249"), tooLong.message());
        assertTrue(tooLong.message().length() < 200, "a long name is cut short in the message: " + tooLong.message());
    }

    @ParameterizedTest
    @ValueSource(strings = {"a", "orders", "Orders.v2", "a_b-c.D9", "...", ".a", "-", "_"})
    void namesOfLettersDigitsDotsUnderscoresAndDashesAreAllowed(String name) {
        assertEquals(Optional.empty(), RULES.checkNewTopicName(name, false));
    }

    @ParameterizedTest
    @ValueSource(strings = {".", ".."})
    void dotAndDotDotAreNotNames(String name) {
        Rejection r = RULES.checkName(name).orElseThrow();
        assertEquals(ErrorReason.ERROR_REASON_INVALID_TOPIC_NAME, r.reason());
        assertTrue(r.message().contains("'" + name + "'"), r.message());
    }

    @Test
    void anEmptyNameIsRefusedWithTheRule() {
        Rejection r = RULES.checkName("").orElseThrow();
        assertEquals(ErrorReason.ERROR_REASON_INVALID_TOPIC_NAME, r.reason());
        assertTrue(r.message().contains("empty") && r.message().contains("1 .. 249"), r.message());
    }

    @Test
    void aBadCharacterIsNamedWithItsPosition() {
        assertBadCharacter("a b", "U+0020 at position 1");
        assertBadCharacter("a/b", "'/' (U+002F) at position 1");
        assertBadCharacter("topic:1", "':' (U+003A) at position 5");
        assertBadCharacter("caf\u00e9", "U+00E9 at position 3");
        assertBadCharacter("tab\t", "U+0009 at position 3");
    }

    @Test
    void clientsMayNotProduceToInternalTopics() {
        assertEquals(Optional.empty(), RULES.checkProduceTopicName("orders"));
        Rejection internal = RULES.checkProduceTopicName("__groups").orElseThrow();
        assertEquals(ErrorReason.ERROR_REASON_INVALID_TOPIC_NAME, internal.reason());
        assertTrue(internal.message().contains("'__groups'") && internal.message().contains("internal"),
                internal.message());
        assertEquals(RULES.checkName("a/b"), RULES.checkProduceTopicName("a/b"));
    }

    @Test
    void namesStartingWithTwoUnderscoresAreOnlyForInternalTopics() {
        Rejection r = RULES.checkNewTopicName("__x", false).orElseThrow();
        assertEquals(ErrorReason.ERROR_REASON_INVALID_TOPIC_NAME, r.reason());
        assertTrue(r.message().contains("'__x'") && r.message().contains("reserved"), r.message());
        assertEquals(Optional.empty(), RULES.checkNewTopicName("__x", true));
        assertEquals(Optional.empty(), RULES.checkName("__x"), "an existing internal topic's name is a valid name");
        assertEquals(Optional.empty(), RULES.checkNewTopicName("_x", false), "one underscore is an ordinary name");
        assertEquals(ErrorReason.ERROR_REASON_INVALID_TOPIC_NAME, RULES.checkNewTopicName("x", true).orElseThrow().reason());
    }

    @Test
    void partitionCountsAreOneToTheLimit() {
        assertEquals(Optional.empty(), RULES.checkPartitionCount(1));
        assertEquals(Optional.empty(), RULES.checkPartitionCount(4096));
        for (int bad : new int[] {0, -1, 4097}) {
            Rejection r = RULES.checkPartitionCount(bad).orElseThrow();
            assertEquals(ErrorReason.ERROR_REASON_INVALID_PARTITION_COUNT, r.reason());
            assertEquals("partition count must be 1 .. 4096, got " + bad, r.message());
        }
        TopicRules stricter = new TopicRules(1000, 3);
        assertEquals(Optional.empty(), stricter.checkPartitionCount(1000));
        assertEquals("partition count must be 1 .. 1000, got 1001", stricter.checkPartitionCount(1001).orElseThrow().message());
    }

    @Test
    void replicationFactorsAreOneToTheLimit() {
        assertEquals(Optional.empty(), RULES.checkReplicationFactor(1));
        assertEquals(Optional.empty(), RULES.checkReplicationFactor(7));
        for (int bad : new int[] {0, 8}) {
            Rejection r = RULES.checkReplicationFactor(bad).orElseThrow();
            assertEquals(ErrorReason.ERROR_REASON_INVALID_REPLICATION_FACTOR, r.reason());
            assertEquals("replication factor must be 1 .. 7, got " + bad, r.message());
        }
    }

    @Test
    void limitsLooserThanTheContractsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new TopicRules(4097, 3));
        assertThrows(IllegalArgumentException.class, () -> new TopicRules(10, 8));
        assertThrows(IllegalArgumentException.class, () -> new TopicRules(0, 3));
    }

    @Test
    void configValuesAreCheckedAgainstTheirRangesAtBothEnds() {
        long[][] cases = { // key ordinal, lowest allowed, highest allowed
            {TopicConfigKey.RETENTION_MS.ordinal(), 1_000, Long.MAX_VALUE},
            {TopicConfigKey.RETENTION_BYTES.ordinal(), 1 << 20, Long.MAX_VALUE},
            {TopicConfigKey.MAX_BATCH_BYTES.ordinal(), 1_024, 8 << 20},
            {TopicConfigKey.FLUSH_POLICY.ordinal(), 1, 2},
            {TopicConfigKey.FLUSH_INTERVAL_MS.ordinal(), 10, 60_000},
            {TopicConfigKey.SEGMENT_BYTES.ordinal(), 1 << 20, 1 << 30},
            {TopicConfigKey.SEGMENT_MS.ordinal(), 60_000, Long.MAX_VALUE},
        };
        assertEquals(TopicConfigKey.values().length, cases.length);
        for (long[] c : cases) {
            TopicConfigKey key = TopicConfigKey.values()[(int) c[0]];
            assertEquals(Optional.empty(), RULES.checkConfig(TopicConfigOverrides.EMPTY.with(key, c[1])), key + " min");
            assertEquals(Optional.empty(), RULES.checkConfig(TopicConfigOverrides.EMPTY.with(key, c[2])), key + " max");
            Rejection below = RULES.checkConfig(TopicConfigOverrides.EMPTY.with(key, c[1] - 1)).orElseThrow();
            assertEquals(ErrorReason.ERROR_REASON_INVALID_CONFIG, below.reason());
            assertEquals(key.protoName(), below.field());
            assertTrue(below.message().startsWith(key.protoName() + " is " + (c[1] - 1) + "; allowed: "), below.message());
            if (c[2] != Long.MAX_VALUE) {
                assertEquals(key.protoName(), RULES.checkConfig(TopicConfigOverrides.EMPTY.with(key, c[2] + 1)).orElseThrow().field());
            }
        }
    }

    @Test
    void minusOneMeansUnlimitedOnlyForRetention() {
        assertEquals(Optional.empty(), RULES.checkConfig(TopicConfigOverrides.EMPTY
                .with(TopicConfigKey.RETENTION_MS, -1).with(TopicConfigKey.RETENTION_BYTES, -1)));
        Rejection r = RULES.checkConfig(TopicConfigOverrides.EMPTY.with(TopicConfigKey.SEGMENT_MS, -1)).orElseThrow();
        assertEquals("segment_ms is -1; allowed: 60000 .. 2^63-1", r.message());
        assertEquals("retention_ms is 999; allowed: -1 or 1000 .. 2^63-1",
                RULES.checkConfig(TopicConfigOverrides.EMPTY.with(TopicConfigKey.RETENTION_MS, 999)).orElseThrow().message());
    }

    @Test
    void anUnknownFlushPolicyIsNamedWithTheKnownOnes() {
        Rejection r = RULES.checkConfig(TopicConfigOverrides.EMPTY.with(TopicConfigKey.FLUSH_POLICY, 3)).orElseThrow();
        assertEquals("flush_policy is 3; allowed: 1 (FSYNC) or 2 (PAGE_CACHE)", r.message());
    }

    @Test
    void aSettingBothSetAndResetIsRefused() {
        TopicConfigOverrides set = TopicConfigOverrides.EMPTY.with(TopicConfigKey.SEGMENT_MS, 120_000);
        Rejection r = RULES.checkAlter(set, Set.of(TopicConfigKey.SEGMENT_MS)).orElseThrow();
        assertEquals(ErrorReason.ERROR_REASON_INVALID_CONFIG, r.reason());
        assertEquals("segment_ms", r.field());
        assertEquals(Optional.empty(), RULES.checkAlter(set, Set.of(TopicConfigKey.RETENTION_MS)));
    }

    @Test
    void aNewTopicIsCheckedNameFirstThenCountsThenConfig() {
        TopicConfigOverrides bad = TopicConfigOverrides.EMPTY.with(TopicConfigKey.MAX_BATCH_BYTES, 1);
        assertEquals(ErrorReason.ERROR_REASON_INVALID_TOPIC_NAME, RULES.checkNewTopic("a b", false, 0, 0, bad).orElseThrow().reason());
        assertEquals(ErrorReason.ERROR_REASON_INVALID_PARTITION_COUNT, RULES.checkNewTopic("t", false, 0, 0, bad).orElseThrow().reason());
        assertEquals(ErrorReason.ERROR_REASON_INVALID_REPLICATION_FACTOR, RULES.checkNewTopic("t", false, 1, 0, bad).orElseThrow().reason());
        assertEquals(ErrorReason.ERROR_REASON_INVALID_CONFIG, RULES.checkNewTopic("t", false, 1, 1, bad).orElseThrow().reason());
        assertEquals(Optional.empty(), RULES.checkNewTopic("t", false, 1, 1, TopicConfigOverrides.EMPTY));
    }

    @Test
    void assignmentsNeedTheReplicationFactorOfDistinctNodes() {
        assertEquals(Optional.empty(), TopicRules.checkAssignments(List.of(List.of(1, 2), List.of(2, 3)), 0, 2));
        Rejection tooFew = TopicRules.checkAssignments(List.of(List.of(1, 2), List.of(3)), 4, 2).orElseThrow();
        assertEquals(ErrorReason.ERROR_REASON_INVALID_REPLICATION_FACTOR, tooFew.reason());
        assertEquals("partition 5 is assigned 1 replicas [3]; every partition needs 2", tooFew.message());
        Rejection twice = TopicRules.checkAssignments(List.of(List.of(1, 1)), 0, 2).orElseThrow();
        assertEquals(ErrorReason.ERROR_REASON_INVALID_REQUEST, twice.reason());
        assertTrue(twice.message().contains("[1, 1]"), twice.message());
    }

    private static void assertBadCharacter(String name, String expected) {
        Rejection r = RULES.checkName(name).orElseThrow();
        assertEquals(ErrorReason.ERROR_REASON_INVALID_TOPIC_NAME, r.reason());
        assertTrue(r.message().contains(expected), r.message());
    }
}
