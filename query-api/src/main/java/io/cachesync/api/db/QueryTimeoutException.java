package io.cachesync.api.db;

import java.time.Duration;

/**
 * PostgreSQL cancelled a query of the API because it ran longer than {@code api.statement-timeout} (SQLSTATE 57014,
 * {@code query_canceled}). Rendered as {@code 503 query-timeout}: the connection was handed back at once, the client is
 * told that its query, not the database, was the problem.
 */
public final class QueryTimeoutException extends DatabaseException {
    private static final long serialVersionUID = 1L;

    private final Duration timeout;

    public QueryTimeoutException(String message, Duration timeout, Throwable cause) {
        super(message, cause);
        this.timeout = timeout;
    }

    /** The statement timeout that cancelled the query. */
    public Duration timeout() {
        return timeout;
    }
}
