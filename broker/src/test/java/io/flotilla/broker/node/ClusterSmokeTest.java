package io.flotilla.broker.node;

import com.google.protobuf.ByteString;
import io.flotilla.api.v1.CreateTopicRequest;
import io.flotilla.api.v1.CreateTopicResponse;
import io.flotilla.api.v1.DescribeClusterRequest;
import io.flotilla.api.v1.NodeState;
import io.flotilla.api.v1.FetchRequest;
import io.flotilla.api.v1.FetchResponse;
import io.flotilla.api.v1.InitProducerRequest;
import io.flotilla.api.v1.PartitionStatus;
import io.flotilla.api.v1.ProducePartition;
import io.flotilla.api.v1.ProduceRequest;
import io.flotilla.api.v1.ProduceResponse;
import io.flotilla.api.v1.Record;
import io.flotilla.api.v1.RecordList;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

class ClusterSmokeTest {
    @Test
    void threeNodesFormACreateATopicAndProduceAndFetchThroughTheLeaders() throws Exception {
        try (TestCluster c = new TestCluster(TestCluster.tempRoot(), 3).startAll()) {
            CreateTopicResponse created = c.admin(2).createTopic(CreateTopicRequest.newBuilder().setName("orders")
                    .setPartitionCount(3).setReplicationFactor(3).build());
            assertEquals(3, created.getTopic().getPartitionsCount());
            created.getTopic().getPartitionsList().forEach(p ->
                    assertNotEquals(0, p.getLeaderNodeId(), "partition " + p.getPartition() + " has a leader"));
            long producerId = c.broker(3).initProducer(InitProducerRequest.getDefaultInstance()).getProducerId();
            for (PartitionStatus p : c.awaitPreferredLeaders("orders").getPartitionsList()) {
                ProduceResponse r = c.broker(p.getLeaderNodeId()).produce(ProduceRequest.newBuilder()
                        .setProducerId(producerId).addPartitions(ProducePartition.newBuilder().setTopic("orders")
                                .setPartition(p.getPartition()).setBaseSequence(0).setRecords(RecordList.newBuilder()
                                        .addRecords(record("a" + p.getPartition()))
                                        .addRecords(record("b" + p.getPartition())))).build());
                assertFalse(r.getResults(0).hasError(), r.toString());
                FetchResponse f = c.broker(p.getLeaderNodeId()).fetch(FetchRequest.newBuilder().setTopic("orders")
                        .setPartition(p.getPartition()).setOffset(0).setMaxWaitMs(1000).build());
                assertEquals(2, f.getRecordsCount(), f.toString());
                assertEquals("a" + p.getPartition(), f.getRecords(0).getValue().toStringUtf8());
            }
            // The controller's leader hears every node (its reports and Raft traffic); any node forwards there.
            TestCluster.await(() -> c.admin(1).describeCluster(DescribeClusterRequest.getDefaultInstance())
                    .getNodesList().stream().allMatch(n -> n.getState() == NodeState.NODE_STATE_ALIVE), 10,
                    "node 1 reports every node alive");
        }
    }

    static Record record(String value) {
        return Record.newBuilder().setValue(ByteString.copyFrom(value, StandardCharsets.UTF_8)).build();
    }
}
