package io.flotilla.jepsen.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One inline SVG chart of per-second series over a run, with shaded bands where faults were
 * active. Written as well-formed XML, so the page parses as XHTML too.
 */
final class SvgChart {
    private static final int WIDTH = 960;
    private static final int HEIGHT = 240;
    private static final int LEFT = 64;
    private static final int RIGHT = 170;
    private static final int TOP = 12;
    private static final int BOTTOM = 36;
    private static final int PLOT_W = WIDTH - LEFT - RIGHT;
    private static final int PLOT_H = HEIGHT - TOP - BOTTOM;
    private static final long[] TIME_STEPS = {1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200};

    private record Series(String name, String color, boolean dashed, double[] values) {
    }

    private final String yLabel;
    private final boolean logScale;
    private final double seconds;
    private final List<Series> series = new ArrayList<>();
    private List<Timeline.FaultInterval> faults = List.of();
    private Map<String, String> faultColors = Map.of();

    SvgChart(String yLabel, boolean logScale, double seconds) {
        this.yLabel = yLabel;
        this.logScale = logScale;
        this.seconds = Math.max(1, seconds);
    }

    /** Values per second; NaN leaves a gap (and, on a log scale, so does a value <= 0). */
    SvgChart series(String name, String color, boolean dashed, double[] values) {
        series.add(new Series(name, color, dashed, values));
        return this;
    }

    SvgChart faults(List<Timeline.FaultInterval> faults, Map<String, String> colors) {
        this.faults = faults;
        this.faultColors = colors;
        return this;
    }

    String render() {
        double[] range = yRange();
        StringBuilder b = new StringBuilder();
        b.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(WIDTH).append("\" height=\"").append(HEIGHT)
                .append("\" viewBox=\"0 0 ").append(WIDTH).append(' ').append(HEIGHT).append("\">\n");
        for (Timeline.FaultInterval f : faults) {
            double x0 = x(f.start() / 1e9);
            double x1 = Math.max(x0 + 1, x(f.stop() / 1e9));
            b.append("<rect class=\"fault\" x=\"").append(num(x0)).append("\" y=\"").append(TOP).append("\" width=\"")
                    .append(num(x1 - x0)).append("\" height=\"").append(PLOT_H).append("\" fill=\"")
                    .append(faultColors.get(f.kind())).append("\" fill-opacity=\"0.18\"><title>")
                    .append(Html.escape(f.kind() + " " + f.targets() + ": " + num(f.start() / 1e9) + " s to "
                            + num(f.stop() / 1e9) + " s")).append("</title></rect>\n");
        }
        axes(b, range);
        for (Series s : series) {
            b.append("<path class=\"series\" fill=\"none\" stroke=\"").append(s.color()).append('"')
                    .append(s.dashed() ? " stroke-dasharray=\"5,3\"" : "").append(" d=\"").append(path(s.values(), range))
                    .append("\"/>\n");
        }
        legend(b);
        return b.append("</svg>\n").toString();
    }

    private void axes(StringBuilder b, double[] range) {
        b.append("<line stroke=\"#444\" x1=\"").append(LEFT).append("\" y1=\"").append(TOP + PLOT_H).append("\" x2=\"")
                .append(LEFT + PLOT_W).append("\" y2=\"").append(TOP + PLOT_H).append("\"/>\n");
        b.append("<line stroke=\"#444\" x1=\"").append(LEFT).append("\" y1=\"").append(TOP).append("\" x2=\"")
                .append(LEFT).append("\" y2=\"").append(TOP + PLOT_H).append("\"/>\n");
        long step = TIME_STEPS[TIME_STEPS.length - 1];
        for (long s : TIME_STEPS) {
            if (seconds / s <= 10) {
                step = s;
                break;
            }
        }
        for (long t = 0; t <= seconds; t += step) {
            text(b, x(t), TOP + PLOT_H + 14, "middle", t + " s");
        }
        text(b, LEFT + PLOT_W / 2.0, HEIGHT - 4, "middle", "time since the run began");
        for (double v : yTicks(range)) {
            double y = y(v, range);
            b.append("<line stroke=\"#ddd\" x1=\"").append(LEFT).append("\" y1=\"").append(num(y)).append("\" x2=\"")
                    .append(LEFT + PLOT_W).append("\" y2=\"").append(num(y)).append("\"/>\n");
            text(b, LEFT - 4, y + 4, "end", num(v));
        }
        b.append("<text x=\"12\" y=\"").append(TOP + PLOT_H / 2).append("\" text-anchor=\"middle\" transform=\"rotate(-90 12 ")
                .append(TOP + PLOT_H / 2).append(")\">").append(Html.escape(yLabel)).append("</text>\n");
    }

    private void legend(StringBuilder b) {
        int y = TOP + 10;
        int x = LEFT + PLOT_W + 12;
        for (Series s : series) {
            b.append("<line stroke=\"").append(s.color()).append('"').append(s.dashed() ? " stroke-dasharray=\"5,3\"" : "")
                    .append(" x1=\"").append(x).append("\" y1=\"").append(y - 4).append("\" x2=\"").append(x + 20)
                    .append("\" y2=\"").append(y - 4).append("\"/>\n");
            text(b, x + 26, y, "start", s.name());
            y += 16;
        }
        for (Map.Entry<String, String> kind : faultColors.entrySet()) {
            b.append("<rect x=\"").append(x).append("\" y=\"").append(y - 10).append("\" width=\"20\" height=\"10\" fill=\"")
                    .append(kind.getValue()).append("\" fill-opacity=\"0.35\"/>\n");
            text(b, x + 26, y, "start", kind.getKey());
            y += 16;
        }
    }

    private String path(double[] values, double[] range) {
        StringBuilder d = new StringBuilder();
        boolean drawing = false;
        for (int s = 0; s < values.length; s++) {
            double v = values[s];
            if (Double.isNaN(v) || (logScale && v <= 0)) {
                drawing = false;
                continue;
            }
            d.append(drawing ? " L" : (d.length() == 0 ? "M" : " M")).append(num(x(s + 0.5))).append(',')
                    .append(num(y(v, range)));
            drawing = true;
        }
        return d.length() == 0 ? "M0,0" : d.toString();
    }

    /** [low, high] of the y axis: from 0 (linear) or a power of ten below the data (log). */
    private double[] yRange() {
        double low = Double.POSITIVE_INFINITY;
        double high = 0;
        for (Series s : series) {
            for (double v : s.values()) {
                if (!Double.isNaN(v) && (!logScale || v > 0)) {
                    low = Math.min(low, v);
                    high = Math.max(high, v);
                }
            }
        }
        if (logScale) {
            double lowPow = low == Double.POSITIVE_INFINITY ? -1 : Math.floor(Math.log10(low));
            double highPow = Math.max(lowPow + 1, high == 0 ? 0 : Math.ceil(Math.log10(high)));
            return new double[] {Math.pow(10, lowPow), Math.pow(10, highPow)};
        }
        return new double[] {0, high <= 0 ? 1 : niceStep(high) * Math.ceil(high / niceStep(high))};
    }

    private List<Double> yTicks(double[] range) {
        List<Double> ticks = new ArrayList<>();
        if (logScale) {
            for (double v = range[0]; v <= range[1] * 1.0001; v *= 10) {
                ticks.add(v);
            }
        } else {
            double step = niceStep(range[1]);
            for (double v = 0; v <= range[1] * 1.0001; v += step) {
                ticks.add(v);
            }
        }
        return ticks;
    }

    /** 1, 2 or 5 times a power of ten, giving about five ticks up to {@code high}. */
    private static double niceStep(double high) {
        double raw = high / 5;
        double pow = Math.pow(10, Math.floor(Math.log10(raw)));
        double m = raw / pow;
        return pow * (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10);
    }

    private double x(double second) {
        return LEFT + second / seconds * PLOT_W;
    }

    private double y(double v, double[] range) {
        double f = logScale ? (Math.log10(v) - Math.log10(range[0])) / (Math.log10(range[1]) - Math.log10(range[0]))
                : (v - range[0]) / (range[1] - range[0]);
        return TOP + PLOT_H - f * PLOT_H;
    }

    private static void text(StringBuilder b, double x, double y, String anchor, String text) {
        b.append("<text x=\"").append(num(x)).append("\" y=\"").append(num(y)).append("\" text-anchor=\"").append(anchor)
                .append("\">").append(Html.escape(text)).append("</text>\n");
    }

    private static String num(double v) {
        String s = String.format(Locale.ROOT, "%.2f", v);
        return s.endsWith(".00") ? s.substring(0, s.length() - 3) : s;
    }
}
