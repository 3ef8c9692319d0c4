package dev.framewise.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * An estimate of the machine's peak float32 throughput: cores x clock x FLOPs per cycle per core,
 * the FLOPs per cycle read off the CPU's vector extensions (two FMA units, each lane a multiply and
 * an add). It is an upper bound on paper, not a measurement: turbo clocks can exceed the clock read
 * here (a virtual machine reports its nominal one), two SMT siblings share one core's FMA units,
 * and real networks never keep every FMA unit busy. Use it to judge how far a measured GFLOP/s is
 * from the machine, not as a target; a measured figure above the estimate means the cores ran
 * faster than the clock read here.
 *
 * @param cores the processors the JVM may use (the thread budget the job gets)
 * @param clockGhz the clock used, empty when neither source had one
 * @param clockSource where the clock came from
 * @param flopsPerCycle float32 FLOPs per cycle per core, empty when the CPU's flags were unreadable
 * @param simd the vector extension the FLOPs per cycle were derived from, and why
 * @param smt whether /proc/cpuinfo shows more hardware threads than cores per package
 */
public record MachinePeak(int cores, Optional<Double> clockGhz, String clockSource, Optional<Integer> flopsPerCycle,
        String simd, boolean smt) {

    static final Path CPUINFO = Path.of("/proc/cpuinfo");
    static final Path MAX_FREQ = Path.of("/sys/devices/system/cpu/cpu0/cpufreq/cpuinfo_max_freq");

    /** Reads this machine. */
    public static MachinePeak detect() {
        return from(Runtime.getRuntime().availableProcessors(), readLines(CPUINFO), readLines(MAX_FREQ));
    }

    /**
     * @param cpuinfo the lines of /proc/cpuinfo (empty when unreadable)
     * @param maxFreqKhz the lines of cpufreq's cpuinfo_max_freq, in kHz (empty when absent)
     */
    static MachinePeak from(int cores, List<String> cpuinfo, List<String> maxFreqKhz) {
        Optional<Double> clock = Optional.empty();
        String source = "unknown: no cpufreq and no 'cpu MHz' in /proc/cpuinfo";
        Optional<Double> max = maxFreqKhz.stream().map(String::strip).filter(s -> !s.isEmpty()).findFirst()
                .flatMap(MachinePeak::parse).filter(v -> v > 0);
        Optional<Double> mhz = field(cpuinfo, "cpu MHz").flatMap(MachinePeak::parse).filter(v -> v > 0);
        if (max.isPresent()) {
            clock = Optional.of(max.get() / 1e6);
            source = "cpufreq cpuinfo_max_freq";
        } else if (mhz.isPresent()) {
            clock = Optional.of(mhz.get() / 1e3);
            source = "'cpu MHz' in /proc/cpuinfo";
        }
        Optional<String> flags = field(cpuinfo, "flags");
        Optional<Integer> perCycle = Optional.empty();
        String simd = "unknown: no 'flags' in /proc/cpuinfo";
        if (flags.isPresent()) {
            List<String> f = List.of(flags.get().split("\\s+"));
            boolean zen4 = field(cpuinfo, "vendor_id").filter("AuthenticAMD"::equals).isPresent()
                    && field(cpuinfo, "cpu family").filter("25"::equals).isPresent();
            if (f.contains("avx512f") && zen4) {
                // Zen 4 decodes AVX-512 but executes it on 256-bit units, two halves at a time:
                // counting 16 lanes would double the peak and halve every efficiency figure.
                perCycle = Optional.of(32);
                simd = "AVX-512 on AMD Zen 4 (256-bit FMA units): 2 FMA x 8 lanes x 2";
            } else if (f.contains("avx512f")) {
                perCycle = Optional.of(64);
                simd = "AVX-512: 2 FMA x 16 lanes x 2";
            } else if (f.contains("avx2") && f.contains("fma")) {
                perCycle = Optional.of(32);
                simd = "AVX2 + FMA: 2 FMA x 8 lanes x 2";
            } else if (f.contains("sse") || f.contains("sse2")) {
                perCycle = Optional.of(8);
                simd = "SSE: 4 lanes x (multiply + add)";
            } else {
                simd = "unknown: no SSE, AVX2 or AVX-512 flag";
            }
        }
        Optional<Integer> siblings = field(cpuinfo, "siblings").flatMap(MachinePeak::parse).map(Double::intValue);
        Optional<Integer> perPackage = field(cpuinfo, "cpu cores").flatMap(MachinePeak::parse).map(Double::intValue);
        boolean smt = siblings.isPresent() && perPackage.isPresent() && siblings.get() > perPackage.get();
        return new MachinePeak(cores, clock, source, perCycle, simd, smt);
    }

    /** The estimate in GFLOP/s, when both the clock and the FLOPs per cycle are known. */
    public Optional<Double> gflopsPerSecond() {
        return clockGhz.flatMap(ghz -> flopsPerCycle.map(f -> cores * ghz * f));
    }

    /** A measured figure as a fraction of the estimate (0.4 = 40 %). */
    public Optional<Double> fractionOf(double gflopsPerSecond) {
        return gflopsPerSecond().map(peak -> gflopsPerSecond / peak);
    }

    /** E.g. "2 cores x 2.60 GHz x 32 FLOP/cycle = 166 GFLOP/s (estimate; ...)". */
    public String describe() {
        String ghz = clockGhz.map(g -> String.format(Locale.ROOT, "%.2f GHz", g)).orElse("? GHz");
        String per = flopsPerCycle.map(f -> f + " FLOP/cycle").orElse("? FLOP/cycle");
        String total = gflopsPerSecond().map(g -> String.format(Locale.ROOT, "%.0f GFLOP/s", g)).orElse("unknown");
        return String.format(Locale.ROOT, "%d cores x %s x %s = %s (estimate; clock from %s; %s%s)", cores, ghz, per,
                total, clockSource, simd, smt ? "; SMT: hardware threads may share a core's FMA units" : "");
    }

    /** The value of the first {@code key : value} line, as /proc/cpuinfo writes them. */
    private static Optional<String> field(List<String> lines, String key) {
        for (String line : lines) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).strip().equals(key)) {
                return Optional.of(line.substring(colon + 1).strip());
            }
        }
        return Optional.empty();
    }

    private static Optional<Double> parse(String s) {
        try {
            return Optional.of(Double.parseDouble(s.strip()));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static List<String> readLines(Path file) {
        try {
            return Files.readAllLines(file);
        } catch (IOException | RuntimeException e) {
            return List.of(); // not Linux, or hidden from this process: the estimate says unknown
        }
    }

    /** The CPU's model name from /proc/cpuinfo, or "unknown" where there is none. */
    static String cpuModel() {
        return field(readLines(CPUINFO), "model name").orElse("unknown");
    }
}
