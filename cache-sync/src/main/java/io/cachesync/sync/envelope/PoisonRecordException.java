package io.cachesync.sync.envelope;

/** A record cache-sync cannot turn into a mutation; it goes to the dead-letter topic with this message as the reason. */
public class PoisonRecordException extends Exception {
    private static final long serialVersionUID = 1L;

    public PoisonRecordException(String reason) {
        super(reason);
    }
}
