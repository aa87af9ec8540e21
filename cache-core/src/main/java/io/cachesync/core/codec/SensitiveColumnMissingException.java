package io.cachesync.core.codec;

import io.cachesync.core.catalog.EntityDefinition;

import java.sql.SQLException;
import java.util.Set;

/**
 * A row read from a table that no longer has a column its entity marks sensitive (renamed or dropped while the service
 * runs): the configuration no longer says which column holds what it meant to keep out, so the row is not cached nor
 * served until it does again.
 */
public final class SensitiveColumnMissingException extends SQLException {
    private static final long serialVersionUID = 1L;

    public SensitiveColumnMissingException(EntityDefinition entity, Set<String> tableColumns) {
        super(message(entity, tableColumns));
    }

    private static String message(EntityDefinition entity, Set<String> tableColumns) {
        return "entities." + entity.name() + ".sensitive names " + entity.sensitive().stream().filter(c -> !tableColumns.contains(c))
                .sorted().toList() + ", which " + entity.qualifiedTable() + " no longer has (renamed or dropped?): its rows are not "
                + "read until the configuration names the table's sensitive columns again (then restart the services)";
    }
}
