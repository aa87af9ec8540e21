package io.cachesync.api.cache;

/** Redis is unavailable and the database fallback is at its concurrency limit: answer 503 with Retry-After. */
public class OverloadedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public OverloadedException(String message) {
        super(message);
    }
}
