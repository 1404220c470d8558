package io.flotilla.broker.node;

import io.flotilla.broker.metadata.Partition;
import io.flotilla.raft.MemberId;
import io.flotilla.raft.Membership;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class PartitionHostTest {
    private static final MemberId A = new MemberId(1, 1);
    private static final MemberId B = new MemberId(2, 1);
    private static final MemberId C = new MemberId(3, 1);
    private static final MemberId C2 = new MemberId(3, 2);

    @Test
    void aReplicaOfAGroupAsCreatedStartsWithTheFoundingVoters() {
        assertEquals(Membership.ofVoters(A, B, C), PartitionHost.initialMembership(new Partition(7, List.of(C, A, B)), C));
    }

    @Test
    void aReplicaJoiningAChangedGroupStartsAsALearnerWhateverTheVoters() {
        Partition replaced = new Partition(7, List.of(A, B, C)).retarget(List.of(A, B, C2));
        assertEquals(new Membership(new TreeSet<>(Set.of(A, B, C)), new TreeSet<>(Set.of(C2))),
                PartitionHost.initialMembership(replaced, C2), "the wiped node's new incarnation");

        Partition regrown = new Partition(7, List.of(A, B, C)).retarget(List.of(A, B)).withoutLeaving(List.of(C))
                .retarget(List.of(A, B, C));
        assertEquals(new Membership(new TreeSet<>(Set.of(A, B)), new TreeSet<>(Set.of(C))),
                PartitionHost.initialMembership(regrown, C), "a founder removed and added back does not vote on its own word");
    }

    @Test
    void aReplicaWithNobodyToLearnFromIsNotStarted() {
        Partition alone = new Partition(7, List.of(A, B)).retarget(List.of(C)).withoutLeaving(List.of(A, B));
        assertThrows(IllegalStateException.class, () -> PartitionHost.initialMembership(alone, C));
    }
}
