package io.cachesync.devstack;

/** A piece of the devstack failed to start or stop; the message says which and why. */
public class DevStackException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public DevStackException(String message, Throwable cause) {
        super(message, cause);
    }

    public DevStackException(String message) {
        super(message);
    }
}
