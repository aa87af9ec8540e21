package io.cachesync.ingest.publish;

/** Kafka did not acknowledge a change event; nothing of the batch was marked processed. */
public class PublishException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public PublishException(String message, Throwable cause) {
        super(message, cause);
    }
}
