package dev.framewise.ingest;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** A request to stop ingest, from any thread (a signal handler), that also cuts short its waits. */
public final class Stop {
    private final CountDownLatch stopped = new CountDownLatch(1);

    public void stop() {
        stopped.countDown();
    }

    public boolean requested() {
        return stopped.getCount() == 0;
    }

    /**
     * Waits {@code nanos}, or less when a stop is requested meanwhile.
     *
     * @return true when the wait ran its course, false when ingest is to stop
     */
    boolean sleep(long nanos) throws InterruptedException {
        return nanos <= 0 ? !requested() : !stopped.await(nanos, TimeUnit.NANOSECONDS);
    }
}
