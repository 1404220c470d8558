package io.flotilla.broker.metadata;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class MetadataStateMachineTest {

    @Test
    void aRestoredSnapshotEqualsTheStateAndGoesOnAlikeUnderRandomCommands() {
        long seed = Long.getLong("flotilla.seed", new SecureRandom().nextLong());
        System.out.println("MetadataStateMachineTest: seed " + seed + " (replay: -Dflotilla.seed=" + seed + ")");
        Random random = new Random(seed);
        Map<String, Integer> accepted = new TreeMap<>();
        Map<String, Integer> rejected = new TreeMap<>();
        for (int trial = 0; trial < 300; trial++) {
            String where = "seed " + seed + ", trial " + trial;
            RandomCommands commands = new RandomCommands(random);
            MetadataStateMachine original = new MetadataStateMachine();
            long offset = 0;
            for (int i = random.nextInt(80); i > 0; i--) {
                offset += 1 + random.nextInt(3); // entries the controller does not apply (no-ops, membership) leave gaps
                original.apply(offset, commands.next(original.metadata()));
            }

            MetadataStateMachine restored = new MetadataStateMachine();
            restored.restore(original.snapshot());
            assertEquals(original.metadata(), restored.metadata(), where);

            for (int i = 0; i < 40; i++) {
                offset += 1 + random.nextInt(3);
                MetadataCommand command = commands.next(original.metadata());
                CommandResult result = original.apply(offset, command);
                assertEquals(result, restored.apply(offset, ByteBuffer.wrap(MetadataCodec.encode(command))), where + ", " + command);
                assertEquals(original.metadata(), restored.metadata(), where + ", after " + command);
                if (result instanceof Rejection r) {
                    rejected.merge(r.reason().name(), 1, Integer::sum);
                } else {
                    accepted.merge(result.getClass().getSimpleName(), 1, Integer::sum);
                }
            }
            assertArrayEquals(original.snapshot(), restored.snapshot(), where);
        }
        System.out.println("MetadataStateMachineTest: accepted " + accepted + ", rejected " + rejected);
        int kinds = CommandResult.class.getPermittedSubclasses().length - 1; // every result but Rejection
        assertEquals(kinds, accepted.size(), "every kind of command must be accepted sometimes: " + accepted);
        assertTrue(sum(accepted) > sum(rejected),
                "the generator must mostly make commands that apply: " + accepted + ", rejected " + rejected);
    }

    private static int sum(Map<String, Integer> counts) {
        return counts.values().stream().mapToInt(Integer::intValue).sum();
    }

    @Test
    void restoringAnInvalidSnapshotKeepsTheState() {
        MetadataStateMachine machine = new MetadataStateMachine();
        machine.apply(1, new MetadataCommand.RegisterNode(1, 7, "h:1"));
        ClusterMetadata before = machine.metadata();

        assertThrows(IllegalArgumentException.class, () -> machine.restore(new byte[] {(byte) 0xff, 1, 2}));
        assertSame(before, machine.metadata());
    }

    @Test
    void anUndecodableEntryIsRefusedAndChangesNothing() {
        MetadataStateMachine machine = new MetadataStateMachine();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> machine.apply(1, ByteBuffer.wrap(new byte[] {(byte) 0xff, 1, 2})));
        assertTrue(e.getMessage().startsWith("not a metadata command"), e.getMessage());
        assertSame(ClusterMetadata.EMPTY, machine.metadata());
    }

    @Test
    void aReplayedOffsetIsRefused() {
        MetadataStateMachine machine = new MetadataStateMachine();
        machine.apply(5, new MetadataCommand.RegisterNode(1, 7, "h:1"));
        assertThrows(IllegalArgumentException.class, () -> machine.apply(5, new MetadataCommand.RegisterNode(2, 7, "h:1")));
        assertEquals(1, machine.metadata().nodes().size());
    }
}
