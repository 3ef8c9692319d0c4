package dev.framewise.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.framewise.bench.CpuShares.Part;
import dev.framewise.bench.CpuShares.ThreadTime;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CpuSharesTest {
    @Test
    void threadsGoToTheirPartByName() {
        assertEquals(Part.TASKS, Part.of("Source: frames -> parse -> classify -> classifications: Writer (1/2)#0"));
        assertEquals(Part.SOURCE_FETCHERS, Part.of("Source Data Fetcher for Source: frames -> parse (1/2)#0"));
        assertEquals(Part.PRODUCER_IO, Part.of("kafka-producer-network-thread | producer-4"));
        assertEquals(Part.SOURCE_FETCHERS, Part.of("kafka-coordinator-heartbeat-thread | bench-saturation"),
                "a consumer's thread, not the broker's, although it starts with kafka-");
        assertEquals(Part.RESULT_READER, Part.of("framewise-bench-results"));
        assertEquals(Part.RAW_SESSIONS, Part.of("bench-job-driver"));
        assertEquals(Part.BENCH_DRIVER, Part.of("main"));
        assertEquals(Part.BENCH_DRIVER, Part.of("HttpClient-3-Worker-0"));
        assertEquals(Part.BROKER, Part.of("data-plane-kafka-request-handler-3"));
        assertEquals(Part.BROKER, Part.of("kafka-0-raft-io-thread"));
        assertEquals(Part.FLINK, Part.of("Time Trigger for Source: frames -> parse -> classify (2/2)#0"));
        assertEquals(Part.FLINK, Part.of("flink-pekko.actor.default-dispatcher-7"));
        assertEquals(Part.OTHER, Part.of("Thread-36"));
    }

    @Test
    void sharesAreOfTheWholeMachineAndTheRestOfTheProcessIsOther() {
        // 2 cores for 1 s: 2e9 ns of machine. Threads 1e9 + 0.1e9, JIT 0.05e9, GC 0.01e9, process 1.3e9 in all.
        String task = "Source: a -> b (1/1)#0";
        String broker = "data-plane-kafka-network-thread-0";
        CpuShares.Snapshot from = new CpuShares.Snapshot(0, 0, Map.of(1L, new ThreadTime(task, 0),
                2L, new ThreadTime(broker, 0)), 100, 10);
        CpuShares.Snapshot to = new CpuShares.Snapshot(1_000_000_000L, 1_300_000_000L, Map.of(
                1L, new ThreadTime(task, 1_000_000_000L), 2L, new ThreadTime(broker, 100_000_000L),
                3L, new ThreadTime("flink-scheduler-1", 20_000_000L)), 150, 20);
        Map<Part, Double> shares = CpuShares.between(from, to, 2);
        assertEquals(0.50, shares.get(Part.TASKS), 1e-9);
        assertEquals(0.05, shares.get(Part.BROKER), 1e-9);
        assertEquals(0.01, shares.get(Part.FLINK), 1e-9, "a thread started meanwhile counts from zero");
        assertEquals(0.025, shares.get(Part.JIT), 1e-9);
        assertEquals(0.005, shares.get(Part.GC), 1e-9);
        assertEquals((1.3e9 - 1.12e9 - 0.06e9) / 2e9, shares.get(Part.OTHER), 1e-9);
        assertEquals(0.0, shares.get(Part.PRODUCER_IO));
        assertEquals(0.65, CpuShares.processShare(from, to, 2), 1e-9, "1.3e9 ns of 2e9");
    }
}
