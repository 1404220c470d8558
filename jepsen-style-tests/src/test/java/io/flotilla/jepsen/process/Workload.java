package io.flotilla.jepsen.process;

import com.google.protobuf.ByteString;
import io.flotilla.api.v1.Acks;
import io.flotilla.jepsen.history.HistoryRecorder;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The clients of a run, each on a thread of its own and recording every operation into the
 * history: idempotent producers ({@link ProducerClient}) sending unique values to random
 * partitions, and assign-mode consumers ({@link ConsumerClient}) polling every partition.
 * Values are longs counted up from 1, stored as the record's 8-byte big-endian value.
 */
final class Workload {
    /** How long one send keeps retrying (redirects, elections, timeouts) before it completes as info. */
    static final long SEND_BUDGET_MS = 5_000;
    /** How long a client waits before retrying where no leader is known or a node did not answer. */
    static final long RETRY_BACKOFF_MS = 100;

    private final HistoryRecorder recorder;
    private final Routes routes;
    private final Acks acks;
    private final AtomicInteger processes = new AtomicInteger();
    private final AtomicLong values = new AtomicLong();
    private final List<Thread> threads = new ArrayList<>();
    private final ConcurrentLinkedQueue<Throwable> crashes = new ConcurrentLinkedQueue<>();
    private volatile boolean running = true;

    Workload(HistoryRecorder recorder, Routes routes, Acks acks, int producers, int consumers, long seed) {
        this.recorder = recorder;
        this.routes = routes;
        this.acks = acks;
        Random seeds = new Random(seed);
        for (int i = 0; i < producers; i++) {
            threads.add(thread("producer-" + i, new ProducerClient(this, new Random(seeds.nextLong()))));
        }
        for (int i = 0; i < consumers; i++) {
            threads.add(thread("consumer-" + i, new ConsumerClient(this, new Random(seeds.nextLong()))));
        }
    }

    void start() {
        threads.forEach(Thread::start);
    }

    /**
     * Lets every client finish its operation in progress (a send within its budget) and stops them.
     *
     * @throws AssertionError if a client crashed or did not stop
     */
    void stop() throws InterruptedException {
        running = false;
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(SEND_BUDGET_MS * 3);
        for (Thread t : threads) {
            t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
            if (t.isAlive()) {
                throw new AssertionError(t.getName() + " did not finish its operation in time");
            }
        }
        if (!crashes.isEmpty()) {
            AssertionError e = new AssertionError("a workload client crashed: " + crashes.peek());
            crashes.forEach(e::addSuppressed);
            throw e;
        }
    }

    boolean running() {
        return running;
    }

    HistoryRecorder recorder() {
        return recorder;
    }

    Routes routes() {
        return routes;
    }

    Acks acks() {
        return acks;
    }

    /** A new process id for the history: a client starting, or continuing after an indeterminate operation. */
    int newProcess() {
        return processes.incrementAndGet();
    }

    /** A value never sent before in this run. */
    long newValue() {
        return values.incrementAndGet();
    }

    static ByteString encode(long value) {
        return ByteString.copyFrom(ByteBuffer.allocate(Long.BYTES).putLong(value).flip());
    }

    static long decode(ByteString bytes) {
        if (bytes.size() != Long.BYTES) {
            throw new IllegalStateException("a record's value has " + bytes.size() + " bytes; the workload writes "
                    + Long.BYTES);
        }
        return bytes.asReadOnlyByteBuffer().getLong();
    }

    /** A client's pause before retrying: time-based by nature, like any client's retry backoff. */
    static void backOff() {
        try {
            Thread.sleep(RETRY_BACKOFF_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private Thread thread(String name, Runnable client) {
        Thread t = new Thread(() -> {
            try {
                client.run();
            } catch (RuntimeException | AssertionError e) {
                crashes.add(e);
            }
        }, "jepsen-" + name);
        t.setDaemon(true);
        return t;
    }
}
