package dev.framewise.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class MachinePeakTest {

    static List<String> cpuinfo(String vendor, int family, String flags, int siblings, int cores) {
        return List.of("processor\t: 0", "vendor_id\t: " + vendor, "cpu family\t: " + family, "model name\t: Test CPU",
                "cpu MHz\t\t: 2596.138", "siblings\t: " + siblings, "cpu cores\t: " + cores, "flags\t\t: " + flags);
    }

    @Test
    void avx512CountsSixtyFourFlopsPerCycle() {
        MachinePeak p = MachinePeak.from(4, cpuinfo("GenuineIntel", 6, "fpu sse sse2 fma avx2 avx512f", 4, 4), List.of());
        assertEquals(Optional.of(64), p.flopsPerCycle());
        assertEquals(2.596138, p.clockGhz().orElseThrow(), 1e-9);
        assertEquals(4 * 2.596138 * 64, p.gflopsPerSecond().orElseThrow(), 1e-9);
        assertTrue(p.clockSource().contains("cpu MHz"), p.clockSource());
    }

    @Test
    void zen4RunsAvx512OnHalfWidthUnits() {
        MachinePeak p = MachinePeak.from(2, cpuinfo("AuthenticAMD", 25, "sse sse2 fma avx2 avx512f", 2, 2), List.of());
        assertEquals(Optional.of(32), p.flopsPerCycle());
        assertTrue(p.simd().contains("Zen 4"), p.simd());
        MachinePeak zen5 = MachinePeak.from(2, cpuinfo("AuthenticAMD", 26, "sse sse2 fma avx2 avx512f", 2, 2), List.of());
        assertEquals(Optional.of(64), zen5.flopsPerCycle());
    }

    @Test
    void avx2WithFmaCountsThirtyTwoAndSseEight() {
        assertEquals(Optional.of(32),
                MachinePeak.from(2, cpuinfo("GenuineIntel", 6, "sse sse2 fma avx2", 2, 2), List.of()).flopsPerCycle());
        assertEquals(Optional.of(8),
                MachinePeak.from(2, cpuinfo("GenuineIntel", 6, "sse sse2 avx2", 2, 2), List.of()).flopsPerCycle());
    }

    @Test
    void theMaximumFrequencyWinsOverTheCurrentOne() {
        MachinePeak p = MachinePeak.from(2, cpuinfo("GenuineIntel", 6, "sse fma avx2", 4, 2), List.of("3500000"));
        assertEquals(3.5, p.clockGhz().orElseThrow(), 1e-9);
        assertTrue(p.clockSource().contains("cpuinfo_max_freq"));
        assertTrue(p.smt(), "4 siblings on 2 cores");
        assertTrue(p.describe().contains("SMT"), p.describe());
    }

    @Test
    void unknownInputsLeaveTheEstimateEmpty() {
        MachinePeak p = MachinePeak.from(8, List.of(), List.of());
        assertTrue(p.clockGhz().isEmpty());
        assertTrue(p.flopsPerCycle().isEmpty());
        assertTrue(p.gflopsPerSecond().isEmpty());
        assertTrue(p.fractionOf(10).isEmpty());
        assertFalse(p.smt());
        assertTrue(p.describe().startsWith("8 cores x ? GHz x ? FLOP/cycle = unknown"), p.describe());
    }

    @Test
    void aMeasuredFigureIsAFractionOfThePeak() {
        MachinePeak p = new MachinePeak(2, Optional.of(2.5), "test", Optional.of(32), "AVX2", false);
        assertEquals(160, p.gflopsPerSecond().orElseThrow(), 1e-9);
        assertEquals(0.5, p.fractionOf(80).orElseThrow(), 1e-9);
        assertEquals("2 cores x 2.50 GHz x 32 FLOP/cycle = 160 GFLOP/s (estimate; clock from test; AVX2)", p.describe());
    }

    @Test
    void thisMachineIsReadWithoutFailing() {
        MachinePeak p = MachinePeak.detect();
        assertEquals(Runtime.getRuntime().availableProcessors(), p.cores());
        assertFalse(p.describe().isBlank());
    }
}
