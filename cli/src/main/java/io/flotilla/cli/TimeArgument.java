package io.flotilla.cli;

import java.time.Instant;
import java.time.format.DateTimeParseException;

/** A point in time on the command line: ISO-8601 ({@code 2026-11-21T10:00:00Z}) or milliseconds since the epoch. */
public final class TimeArgument {

    /** How options that take a time describe it. */
    public static final String FORMS = "ISO-8601 (2026-11-21T10:00:00Z) or milliseconds since the epoch";

    private TimeArgument() {}

    /**
     * Milliseconds since the epoch.
     *
     * @throws IllegalArgumentException saying which forms are accepted
     */
    public static long epochMs(String text) {
        try {
            return !text.isEmpty() && text.chars().allMatch(Character::isDigit) ? Long.parseLong(text)
                    : Instant.parse(text).toEpochMilli();
        } catch (DateTimeParseException | NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' is neither an ISO-8601 time like 2026-11-21T10:00:00Z "
                    + "nor milliseconds since the epoch");
        }
    }
}
