package io.flotilla.jepsen.process;

import com.google.protobuf.ByteString;
import io.flotilla.api.v1.FetchedRecord;
import io.flotilla.cli.client.ClientConfig;
import io.flotilla.cli.client.ClientException;
import io.flotilla.cli.client.Consumer;
import io.flotilla.cli.client.FlotillaClient;
import io.flotilla.cli.client.GroupConsumer;
import io.flotilla.cli.client.GroupConsumerConfig;
import io.flotilla.cli.client.HostPort;
import io.flotilla.cli.client.TopicPartition;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * One group member on its own thread and client, as an application runs one: poll, process
 * (record in the {@link GroupHistory}, each value as {@code valueText} renders it), commit what
 * it processed, again until stopped; then it leaves. Its failures are kept for the test to report.
 */
final class GroupMemberRun implements GroupConsumer.Listener, AutoCloseable {
    private final int id;
    private final GroupHistory history;
    private final Function<ByteString, String> valueText;
    private final FlotillaClient client;
    private final GroupConsumer consumer;
    private final Thread thread;
    private final List<String> warnings = new CopyOnWriteArrayList<>();
    private volatile Throwable failure;
    private volatile boolean stopping;

    GroupMemberRun(int id, List<HostPort> bootstrap, String group, String topic, GroupConsumerConfig config,
            GroupHistory history, Function<ByteString, String> valueText) {
        this.id = id;
        this.history = history;
        this.valueText = valueText;
        this.client = new FlotillaClient(ClientConfig.defaults(bootstrap));
        try {
            this.consumer = GroupConsumer.start(client, group, List.of(topic), config, this);
        } catch (RuntimeException e) {
            client.close();
            throw e;
        }
        this.thread = new Thread(this::run, "group-member-" + id);
        thread.start();
    }

    private void run() {
        try {
            while (!stopping) {
                Consumer.Records polled = consumer.poll(200);
                List<FetchedRecord> records = polled.records();
                if (records.isEmpty()) {
                    continue;
                }
                TopicPartition p = new TopicPartition(polled.topic(), polled.partition());
                records.forEach(r -> history.processed(id, p, r.getOffset(), valueText.apply(r.getValue())));
                long next = records.get(records.size() - 1).getOffset() + 1;
                int commit = history.commitSent(p, next);
                try {
                    history.commitEnded(commit, consumer.commit(Map.of(p, next)).containsKey(p));
                } catch (ClientException unknown) {
                    history.commitEnded(commit, null);
                    warnings.add("commit: " + unknown.getMessage());
                }
            }
        } catch (Throwable t) {
            failure = t;
        }
    }

    @Override
    public void assigned(TopicPartition partition, long offset) {
        history.assigned(id, partition, offset);
    }

    @Override
    public void warn(String message) {
        warnings.add(message);
    }

    /** Why the member stopped by itself; null while it runs or when it was stopped. */
    Throwable failure() {
        return failure;
    }

    List<String> warnings() {
        return warnings;
    }

    /** Stops polling, leaves the group and closes the client. */
    @Override
    public void close() throws InterruptedException {
        stopping = true;
        thread.join(TimeUnit.SECONDS.toMillis(30));
        consumer.close();
        client.close();
    }
}
