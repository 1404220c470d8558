package io.flotilla.log;

/**
 * Base of every error the log store reports. Each subclass names the values involved so a
 * person reading a log line can act on it without a debugger.
 */
public class LogException extends RuntimeException {
    public LogException(String message) {
        super(message);
    }

    public LogException(String message, Throwable cause) {
        super(message, cause);
    }
}
