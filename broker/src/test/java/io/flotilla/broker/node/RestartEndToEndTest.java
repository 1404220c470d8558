package io.flotilla.broker.node;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Every node of the cluster stopped at once, mid-stream, and started again on its data:
 * acknowledged records keep their offsets, the producer's idempotence state survives (its
 * unanswered batches are retried with their old sequences and written once), and the cluster
 * takes new records.
 */
class RestartEndToEndTest {
    private static final String TOPIC = "restart";
    private static final int PARTITIONS = 3;
    private static final int RECORDS = 3000;
    private static final int BATCH = 50;
    private static final int AFTER_RESTART = PARTITIONS * BATCH;

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void acknowledgedRecordsSurviveAStopOfEveryNodeAndTheRestartedClusterTakesNewRecords() throws Exception {
        try (TestCluster cluster = new TestCluster(TestCluster.tempRoot(), 3).startAll()) {
            cluster.createTopic(TOPIC, PARTITIONS, 3);
            try (LeaderRouter router = new LeaderRouter(TOPIC, PARTITIONS, cluster.addresses);
                 IdempotentProducer producer = IdempotentProducer.start(router)) {
                producer.send(RECORDS, BATCH);
                producer.awaitAcknowledged(RECORDS / 2, 20);

                // Closing is all the nodes get: nothing here flushes them first.
                List<Integer> nodes = List.copyOf(cluster.addresses.keySet());
                nodes.forEach(cluster::stop);
                int acknowledgedBeforeStop = producer.acknowledgedRecords();
                for (int id : nodes) {
                    cluster.start(id);
                }
                cluster.awaitReady();

                producer.awaitAcknowledged(RECORDS, 30);
                producer.send(AFTER_RESTART, BATCH);
                producer.awaitAcknowledged(RECORDS + AFTER_RESTART, 20);

                int read = ExactlyOnceCheck.verify(router, producer, 20);
                assertEquals(RECORDS + AFTER_RESTART, read, "records in the partitions");
                System.out.printf("restart: %d records acknowledged before every node stopped, %d in all, %d read"
                                + " back, %d retries (%d answered as duplicates)%n", acknowledgedBeforeStop,
                        producer.acknowledgedRecords(), read, producer.retries(),
                        producer.acknowledged(IdempotentProducer.Acknowledged::duplicate).size());
            }
        }
    }
}
