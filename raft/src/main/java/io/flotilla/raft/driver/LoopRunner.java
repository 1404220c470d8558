package io.flotilla.raft.driver;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Runs one {@link EventLoop} on a thread of its own: turn after turn while there is work, and
 * when a turn did nothing, park until the loop's next tick or until another thread hands it
 * work. It never spins: the machines this runs on have two cores, and an idle node must cost
 * (almost) nothing.
 */
final class LoopRunner implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(LoopRunner.class);

    private final EventLoop loop;
    private final Thread thread;
    private volatile boolean running = true;

    LoopRunner(EventLoop loop, String name) {
        this.loop = loop;
        this.thread = new Thread(this, name);
        thread.setDaemon(true);
        loop.bind(thread);
    }

    void start() {
        thread.start();
    }

    @Override
    public void run() {
        try {
            while (running) {
                if (loop.doWork() == 0) {
                    loop.idle();
                }
            }
        } catch (RuntimeException | Error e) {
            // Per-group failures are contained inside the loop; reaching here is a driver bug.
            log.error("event loop thread {} failed: every group on it has stopped", thread.getName(), e);
            throw e;
        }
    }

    /** Stops the thread after its current turn and waits for it. */
    void stop() throws InterruptedException {
        running = false;
        LockSupport.unpark(thread);
        thread.join(TimeUnit.SECONDS.toMillis(10));
    }
}
