package io.flotilla.broker.metadata;

import io.flotilla.api.v1.ErrorReason;

import java.util.Objects;

/**
 * A command or request refused, with nothing changed: why (an {@link ErrorReason} of
 * errors.proto, which fixes the status code), a message a person can act on, naming what was
 * given and what is allowed, and for configuration values the setting concerned.
 *
 * @param field the {@code flotilla.v1.TopicConfig} field name a value of which was refused, or
 *              "" when the rejection is not about one; the caller prefixes its request's path
 */
public record Rejection(ErrorReason reason, String message, String field) implements CommandResult {

    public Rejection {
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(field, "field");
    }

    public Rejection(ErrorReason reason, String message) {
        this(reason, message, "");
    }
}
