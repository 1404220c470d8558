package io.flotilla.broker.transport;

import io.flotilla.raft.RaftMessage;

import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** An {@link InboundRaft} that keeps every batch it receives, for the test to take in order. */
final class Inbox implements InboundRaft {
    record Received(int fromNode, List<RaftMessage> batch) {
    }

    private final LinkedBlockingQueue<Received> received = new LinkedBlockingQueue<>();

    @Override
    public boolean receive(int fromNode, List<RaftMessage> batch) {
        received.add(new Received(fromNode, batch));
        return true;
    }

    /** The next batch received, waiting for it up to {@link Await#TIMEOUT}. */
    Received take() throws InterruptedException {
        Received next = received.poll(Await.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        if (next == null) {
            throw new AssertionError("no batch arrived within " + Await.TIMEOUT);
        }
        return next;
    }

    boolean isEmpty() {
        return received.isEmpty();
    }
}
