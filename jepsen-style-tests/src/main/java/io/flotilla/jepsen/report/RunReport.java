package io.flotilla.jepsen.report;

import io.flotilla.jepsen.checker.CheckResult;
import io.flotilla.jepsen.checker.Checker;
import io.flotilla.jepsen.history.History;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Checks a run's history and leaves its reports next to it: {@code report.txt} and {@code report.html}. */
public final class RunReport {
    public static final String TEXT = "report.txt";
    public static final String HTML = "report.html";

    private RunReport() {
    }

    /** Returns the result, whose {@link Summary#line} the run prints. */
    public static CheckResult write(String title, History history, Path dir) throws IOException {
        CheckResult result = Checker.check(history);
        Files.writeString(dir.resolve(TEXT), TextReport.render(result), StandardCharsets.UTF_8);
        Files.writeString(dir.resolve(HTML), HtmlReport.render(title, Timeline.of(history), result), StandardCharsets.UTF_8);
        return result;
    }
}
