package io.cachesync.api.db;

/**
 * A row the API cannot or will not read because the database no longer matches the entity's configuration (renamed or
 * dropped while the service runs): its table lacks a column the entity marks sensitive
 * ({@link io.cachesync.core.codec.SensitiveColumnMissingException}), or the table or a column it names is gone
 * (SQLSTATE 42P01, 42703). Not an outage of the database: rendered as {@code 503 entity-unavailable} with a detail that
 * names neither the table nor the column (clients need not learn the schema); the log says which.
 */
public final class ConfigurationDriftException extends DatabaseException {
    private static final long serialVersionUID = 1L;

    private final String entity;

    public ConfigurationDriftException(String entity, String message, Throwable cause) {
        super(message, cause);
        this.entity = entity;
    }

    public String entity() {
        return entity;
    }
}
