package io.flotilla.log.record;

import io.flotilla.log.LogException;

/** A record batch that does not follow the format: refused before anything is written. */
public class MalformedBatchException extends LogException {
    public MalformedBatchException(String message) {
        super(message);
    }
}
