package io.flotilla.jepsen.report;

import io.flotilla.jepsen.checker.CheckResult;
import io.flotilla.jepsen.history.Action;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.IntToDoubleFunction;
import java.util.stream.IntStream;

/**
 * The run as one self-contained HTML page, no scripts: the summary line, a throughput chart (OK
 * sends and polls per second) and a latency chart (p50 and p99 per second, log scale), both with
 * a shaded band per fault while it was active, a table of the faults, and the text report.
 */
public final class HtmlReport {
    private static final String[] FAULT_COLORS =
            {"#d62728", "#1f77b4", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf"};
    private static final Map<Action.Kind, String> SERIES_COLORS = Map.of(Action.Kind.SEND, "#000000",
            Action.Kind.POLL, "#888888");

    private HtmlReport() {
    }

    public static String render(String title, Timeline timeline, CheckResult result) {
        Map<String, String> colors = new LinkedHashMap<>();
        for (String kind : new TreeSet<>(timeline.faults().stream().map(Timeline.FaultInterval::kind).toList())) {
            colors.put(kind, FAULT_COLORS[colors.size() % FAULT_COLORS.length]);
        }
        int seconds = timeline.seconds();
        SvgChart throughput = new SvgChart("ok operations per second", false, seconds).faults(timeline.faults(), colors);
        SvgChart latency = new SvgChart("latency (ms)", true, seconds).faults(timeline.faults(), colors);
        for (Action.Kind kind : Timeline.CHARTED) {
            String color = SERIES_COLORS.get(kind);
            throughput.series(kind.label(), color, false, perSecond(seconds, s -> timeline.ok(kind, s)));
            latency.series(kind.label() + " p50", color, false, perSecond(seconds, s -> timeline.latencyMillis(kind, s, 50)));
            latency.series(kind.label() + " p99", color, true, perSecond(seconds, s -> timeline.latencyMillis(kind, s, 99)));
        }
        StringBuilder b = new StringBuilder("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n<title>")
                .append(Html.escape(title)).append("</title>\n<style>body{font:14px sans-serif;margin:1.5em}"
                        + "svg text{font:11px sans-serif}pre{font-size:12px;white-space:pre-wrap}"
                        + "td,th{padding:0 1em;text-align:left}</style>\n</head>\n<body>\n<h1>")
                .append(Html.escape(title)).append("</h1>\n<p>").append(Html.escape(Summary.line(result))).append("</p>\n")
                .append("<h2>Throughput</h2>\n").append(throughput.render())
                .append("<h2>Latency</h2>\n").append(latency.render())
                .append("<h2>Faults</h2>\n");
        faultTable(b, timeline.faults());
        return b.append("<h2>Checker</h2>\n<pre>").append(Html.escape(TextReport.render(result)))
                .append("</pre>\n</body>\n</html>\n").toString();
    }

    private static void faultTable(StringBuilder b, List<Timeline.FaultInterval> faults) {
        if (faults.isEmpty()) {
            b.append("<p>No faults.</p>\n");
            return;
        }
        b.append("<table>\n<tr><th>fault</th><th>nodes</th><th>from (s)</th><th>to (s)</th></tr>\n");
        for (Timeline.FaultInterval f : faults) {
            b.append("<tr><td>").append(Html.escape(f.kind())).append("</td><td>").append(f.targets()).append("</td><td>")
                    .append(String.format(Locale.ROOT, "%.1f", f.start() / 1e9)).append("</td><td>")
                    .append(String.format(Locale.ROOT, "%.1f", f.stop() / 1e9)).append("</td></tr>\n");
        }
        b.append("</table>\n");
    }

    private static double[] perSecond(int seconds, IntToDoubleFunction value) {
        return IntStream.range(0, seconds).mapToDouble(value).toArray();
    }
}
