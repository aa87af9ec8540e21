package io.cachesync.api.db;

/**
 * A row the API will not read: its table no longer has a column the entity marks sensitive (renamed or dropped while
 * the service runs, {@link io.cachesync.core.codec.SensitiveColumnMissingException}). Rendered as {@code 503
 * entity-unavailable} with a detail that names neither the table nor the column (clients need not learn the schema);
 * the log says which.
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
