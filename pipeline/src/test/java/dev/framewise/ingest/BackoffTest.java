package dev.framewise.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class BackoffTest {
    @Test
    void doublesUpToTheMaximumAndStartsOverWhenReset() {
        Backoff backoff = new Backoff(Ingest.FIRST_RETRY, Ingest.MAX_RETRY);
        List<Long> delays = IntStream.range(0, 7).mapToObj(i -> backoff.nextDelay().toMillis()).toList();
        assertEquals(List.of(500L, 1000L, 2000L, 4000L, 8000L, 10000L, 10000L), delays);
        assertEquals(7, backoff.attempts());
        backoff.reset();
        assertEquals(Duration.ofMillis(500), backoff.nextDelay());
        assertEquals(1, backoff.attempts());
    }
}
