package io.cachesync.sync.redis;

/** Redis could not be written for longer than the retry window; the record's offset was not committed. */
public class RedisUnavailableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public RedisUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
