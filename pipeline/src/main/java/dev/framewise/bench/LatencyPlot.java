package dev.framewise.bench;

import dev.framewise.bench.PipelineBenchmark.Load;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/** End-to-end latency against offered load, as a small self-contained SVG (no plotting library). */
final class LatencyPlot {
    private static final int W = 640;
    private static final int H = 400;
    private static final int LEFT = 70;
    private static final int RIGHT = 20;
    private static final int TOP = 40;
    private static final int BOTTOM = 60;

    private LatencyPlot() {
    }

    static String svg(List<Load> loads, String title, double limitMs) {
        double maxX = loads.stream().mapToDouble(Load::offeredPercent).max().orElse(150);
        double maxY = Math.max(limitMs, loads.stream().mapToDouble(Load::p99Ms).filter(Double::isFinite).max().orElse(1));
        maxY = niceCeiling(maxY * 1.1);
        StringBuilder s = new StringBuilder();
        s.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\""
                + " viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"12\">%n", W, H, W, H));
        s.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"22\" font-size=\"15\">%s</text>%n", LEFT, escape(title)));
        // Axes and grid.
        for (int i = 0; i <= 5; i++) {
            double v = maxY * i / 5;
            double y = y(v, maxY);
            s.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/>%n",
                    LEFT, y, W - RIGHT, y));
            s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%.0f</text>%n", LEFT - 6,
                    y + 4, v));
        }
        for (Load l : loads) {
            double x = x(l.offeredPercent(), maxX);
            s.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%d%%</text>%n", x,
                    H - BOTTOM + 18, l.offeredPercent()));
        }
        s.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"black\"/>%n", LEFT,
                H - BOTTOM, W - RIGHT, H - BOTTOM));
        s.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"black\"/>%n", LEFT, TOP,
                LEFT, H - BOTTOM));
        s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">offered load (%% of the"
                + " measured capacity)</text>%n", (LEFT + W - RIGHT) / 2, H - 18));
        s.append(String.format(Locale.ROOT, "<text transform=\"translate(18,%d) rotate(-90)\" text-anchor=\"middle\">"
                + "end-to-end latency (ms)</text>%n", (TOP + H - BOTTOM) / 2));
        if (limitMs > 0) {
            double y = y(limitMs, maxY);
            s.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#999\""
                    + " stroke-dasharray=\"6,4\"/>%n", LEFT, y, W - RIGHT, y));
            s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\" fill=\"#666\">freshness"
                    + " limit</text>%n", W - RIGHT - 4, y - 5));
        }
        series(s, loads, Load::p50Ms, "#1f77b4", "p50", maxX, maxY, 0);
        series(s, loads, Load::p90Ms, "#2ca02c", "p90", maxX, maxY, 1);
        series(s, loads, Load::p99Ms, "#d62728", "p99", maxX, maxY, 2);
        s.append("</svg>\n");
        return s.toString();
    }

    private static void series(StringBuilder s, List<Load> loads, ToDoubleFunction<Load> value, String color,
            String name, double maxX, double maxY, int index) {
        StringBuilder points = new StringBuilder();
        for (Load l : loads) {
            double v = value.applyAsDouble(l);
            if (Double.isFinite(v)) {
                points.append(String.format(Locale.ROOT, "%.1f,%.1f ", x(l.offeredPercent(), maxX), y(v, maxY)));
                s.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"/>%n",
                        x(l.offeredPercent(), maxX), y(v, maxY), color));
            }
        }
        s.append(String.format(Locale.ROOT, "<polyline points=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"2\"/>%n",
                points.toString().strip(), color));
        int lx = LEFT + 10 + index * 70;
        s.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" stroke-width=\"2\"/>"
                + "<text x=\"%d\" y=\"%d\">%s</text>%n", lx, TOP + 4, lx + 18, TOP + 4, color, lx + 22, TOP + 8, name));
    }

    private static double x(double pct, double maxX) {
        return LEFT + (W - LEFT - RIGHT) * pct / maxX;
    }

    private static double y(double v, double maxY) {
        return H - BOTTOM - (H - TOP - BOTTOM) * v / maxY;
    }

    private static double niceCeiling(double v) {
        double magnitude = Math.pow(10, Math.floor(Math.log10(v)));
        for (double step : new double[] {1, 2, 2.5, 5, 10}) {
            if (step * magnitude >= v) {
                return step * magnitude;
            }
        }
        return 10 * magnitude;
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
