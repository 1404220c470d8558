package io.flotilla.broker.partition;

import io.flotilla.api.v1.ErrorReason;
import io.flotilla.api.v1.FetchFormat;
import io.flotilla.api.v1.FetchResponse;
import io.flotilla.broker.api.ApiException;
import io.flotilla.broker.api.Calls;
import io.grpc.stub.ServerCallStreamObserver;

import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One Subscribe stream. It reads the next chunk from the log only when gRPC's transport is
 * ready for another message, so a client that reads slowly holds it back with at most one
 * message in construction here; once caught up it waits on its replica (a {@link Waiter}, like
 * a parked fetch) until a commit or a leadership change wakes it.
 *
 * <p>Every event (transport ready, replica changed, heartbeat due, client cancelled) only
 * signals; {@link #step} then runs on one thread at a time (the signalling one, or a reader
 * thread), so the observer is never called concurrently and the stream needs no lock.
 */
final class Subscription implements Waiter {
    /** Messages sent in one turn before the stream gives its thread to others. */
    private static final int MESSAGES_PER_TURN = 16;
    /** How long a stream outlives an election on its node that names no leader (broker.proto). */
    private static final long ELECTION_WAIT_MS = 5_000;
    private static final Executor HERE = Runnable::run;

    private final Subscriptions owner;
    private final PartitionReplica replica;
    private final int maxBytes;
    private final FetchFormat format;
    private final long heartbeatNanos;
    private final ServerCallStreamObserver<FetchResponse> out;
    /** Signals since the running step began; the stream's one runner owns it while above 0. */
    private final AtomicInteger signals = new AtomicInteger();

    // Written by steps; volatile where the replica's reader threads look.
    private volatile long offset;
    /** Waiting for records or for an election, not for the client. */
    private volatile boolean waitingForReplica;
    private volatile boolean finished;
    private boolean waitingForClient;
    private boolean leaderless;
    private long leaderlessSinceNanos;
    private long lastSentNanos;
    private ScheduledFuture<?> heartbeat;

    // Set by gRPC's and the timer's threads.
    private volatile boolean cancelled;
    private volatile boolean heartbeatDue;

    Subscription(Subscriptions owner, PartitionReplica replica, long offset, int maxBytes, FetchFormat format,
                 long heartbeatMs, ServerCallStreamObserver<FetchResponse> out) {
        this.owner = owner;
        this.replica = replica;
        this.offset = offset;
        this.maxBytes = maxBytes;
        this.format = format;
        this.heartbeatNanos = TimeUnit.MILLISECONDS.toNanos(heartbeatMs);
        this.out = out;
    }

    void start() {
        out.setOnCancelHandler(() -> {
            cancelled = true;
            signal(HERE);
        });
        out.setOnReadyHandler(() -> signal(HERE));
        lastSentNanos = System.nanoTime();
        if (heartbeatNanos > 0) {
            scheduleHeartbeat(heartbeatNanos);
        }
        replica.park(this, offset);
        signal(HERE);
    }

    @Override
    public boolean serve(PartitionReplica changed) {
        if (finished) {
            return true;
        }
        // A stream held back by its client needs waking only to end; one waiting on the replica, for records too.
        if (waitingForReplica ? changed.answerable(offset) : !changed.serving()) {
            signal(HERE);
        }
        return false;
    }

    private void signal(Executor where) {
        if (signals.getAndIncrement() == 0) {
            where.execute(this::drain);
        }
    }

    private void drain() {
        do {
            signals.set(1); // owned; what signals from here on is looked at by the next step
            if (!step()) {
                owner.readers().execute(this::drain);
                return;
            }
        } while (!signals.compareAndSet(1, 0));
    }

    /** One look at the stream: send while the client can take it. False when it yields the thread with work left. */
    private boolean step() {
        if (finished) {
            return true;
        }
        if (cancelled) {
            finish(null);
            return true;
        }
        try {
            int sent = 0;
            while (true) {
                replica.checkLeader();
                leaderless = false;
                if (!out.isReady()) {
                    waitingForReplica = false;
                    setWaitingForClient(true); // onReady signals when the client has read enough
                    break;
                }
                setWaitingForClient(false);
                FetchResponse chunk = replica.read(offset, maxBytes, format);
                if (chunk == null) {
                    waitingForReplica = true; // then look again: a commit may have come before the flag
                    if (!replica.answerable(offset)) {
                        break;
                    }
                    continue;
                }
                waitingForReplica = false;
                offset = chunk.getNextOffset();
                if (chunk.getRecordsCount() > 0 || !chunk.getRecordBatches().isEmpty()) {
                    send(chunk);
                    if (++sent == MESSAGES_PER_TURN) {
                        return false;
                    }
                }
            }
        } catch (ApiException e) {
            if (e.reason() != ErrorReason.ERROR_REASON_NO_LEADER || !waitOutElection()) {
                finish(e);
                return true;
            }
        } catch (RuntimeException e) {
            finish(e);
            return true;
        }
        heartbeatIfDue();
        return true;
    }

    /**
     * No leader is known: an election is under way, and its outcome (this node again, or
     * another that the stream then names) wakes the stream. False once it has waited too long.
     */
    private boolean waitOutElection() {
        waitingForReplica = true;
        long now = System.nanoTime();
        if (!leaderless) {
            leaderless = true;
            leaderlessSinceNanos = now;
            owner.timer().schedule(() -> signal(owner.readers()), ELECTION_WAIT_MS, TimeUnit.MILLISECONDS);
        }
        return now - leaderlessSinceNanos < TimeUnit.MILLISECONDS.toNanos(ELECTION_WAIT_MS);
    }

    private void heartbeatIfDue() {
        if (!heartbeatDue) {
            return;
        }
        heartbeatDue = false;
        long idle = System.nanoTime() - lastSentNanos;
        if (idle < heartbeatNanos) {
            scheduleHeartbeat(heartbeatNanos - idle);
            return;
        }
        if (out.isReady()) { // a client that has not read what was sent needs no heartbeat
            send(replica.empty(offset));
        }
        scheduleHeartbeat(heartbeatNanos);
    }

    private void scheduleHeartbeat(long delayNanos) {
        heartbeat = owner.timer().schedule(() -> {
            heartbeatDue = true;
            signal(owner.readers());
        }, delayNanos, TimeUnit.NANOSECONDS);
    }

    private void send(FetchResponse message) {
        owner.sent(message.getSerializedSize());
        out.onNext(message);
        lastSentNanos = System.nanoTime();
    }

    private void setWaitingForClient(boolean waiting) {
        if (waiting != waitingForClient) {
            waitingForClient = waiting;
            owner.waitingForClient(waiting);
        }
    }

    /** Releases everything the stream holds, and ends it with {@code error} unless the client cancelled it. */
    private void finish(Throwable error) {
        finished = true;
        if (heartbeat != null) {
            heartbeat.cancel(false);
        }
        replica.unpark(this);
        setWaitingForClient(false);
        owner.closed();
        if (error != null && !cancelled) {
            out.onError(Calls.statusOf(error));
        }
    }
}
