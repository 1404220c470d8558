package io.flotilla.broker.transport;

/**
 * A received Raft message, batch or frame that does not describe a valid message: the message
 * says which field is wrong and why. The receiver drops what it came in; Raft retransmits.
 */
public final class InvalidRaftMessageException extends RuntimeException {
    public InvalidRaftMessageException(String message) {
        super(message);
    }

    public InvalidRaftMessageException(String message, Throwable cause) {
        super(message, cause);
    }
}
