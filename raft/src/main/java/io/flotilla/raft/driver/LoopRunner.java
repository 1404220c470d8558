package io.flotilla.raft.driver;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Runs one {@link EventLoop} on a thread of its own: turn after turn while there is work, and
 * when a turn did nothing, park until the loop's next tick or until another thread hands it
 * work. It never spins: the machines this runs on have two cores, and an idle node must cost
 * (almost) nothing. Whatever ends the turns (a stop, or an Error that fails the driver), the
 * loop retires on this thread.
 */
final class LoopRunner implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(LoopRunner.class);

    private final EventLoop loop;
    private final RaftDriver driver;
    private final Thread thread;
    private volatile boolean running = true;

    LoopRunner(EventLoop loop, RaftDriver driver, String name) {
        this.loop = loop;
        this.driver = driver;
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
        } catch (Throwable e) {
            // Per-group failures are contained inside the loop: what reaches here is an Error (or
            // a driver bug), after which nothing this thread left half done can be trusted.
            log.error("event loop thread {} failed: the driver stops every group of node {}", thread.getName(),
                    driver.self().nodeId(), e);
            driver.fail(e);
        }
        driver.retire(loop);
    }

    /** Ends the turns after the current one, without waiting. */
    void halt() {
        running = false;
        LockSupport.unpark(thread);
    }

    /** Ends the turns after the current one and waits for the thread. */
    void stop() throws InterruptedException {
        halt();
        thread.join(TimeUnit.SECONDS.toMillis(10));
    }
}
