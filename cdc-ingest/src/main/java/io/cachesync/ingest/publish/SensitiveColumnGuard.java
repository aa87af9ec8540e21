package io.cachesync.ingest.publish;

import io.cachesync.core.catalog.EntityCatalog;
import io.cachesync.core.catalog.EntityDefinition;
import io.cachesync.core.util.LogThrottle;
import io.debezium.engine.ChangeEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.SQLException;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;

/**
 * Keeps a table's values out of Kafka once it no longer has a column its entity marks sensitive. Debezium leaves a
 * sensitive column out by its name ({@code column.exclude.list}); after {@code ALTER TABLE … RENAME COLUMN ssn TO
 * tax_id} the values would flow under the new name, cached and served. Each time a table's events come with a new Connect
 * schema (a change of columns, or an engine start), its columns are read again; while a configured sensitive column is
 * missing, each change of the table is published with its key only (as a {@link TooLargeChange}: cache-sync invalidates
 * the row), counted and logged, until the configuration names the sensitive columns again and cdc-ingest restarts.
 */
public final class SensitiveColumnGuard {
    private static final Logger LOG = LoggerFactory.getLogger(SensitiveColumnGuard.class);
    private static final LogThrottle WITHHELD_LOG = new LogThrottle(LogThrottle.REPEATED_FAILURES);
    private static final int MAX_REMEMBERED = 10_000;

    /** The configured sensitive columns a table does not have now. */
    @FunctionalInterface
    public interface MissingColumns {
        List<String> of(EntityDefinition entity) throws SQLException;
    }

    /** Withholds nothing (an entity without sensitive columns, or tests). */
    public static final SensitiveColumnGuard NONE = new SensitiveColumnGuard(Map.of(), e -> List.of(), e -> e, new LongAdder());

    private final Map<String, EntityDefinition> guardedByTopic;
    private final MissingColumns missing;
    private final Function<ChangeEvent<String, String>, Object> schemaOf;
    private final LongAdder withheld;
    /** By the identity of an event's schema: why its table's values are withheld, or "" when they are not. */
    private final Map<Object, String> verdicts = new IdentityHashMap<>();

    /**
     * @param guardedByTopic the CDC topic of each entity with sensitive columns
     * @param schemaOf       what identifies an event's columns (its Connect schema: Debezium makes a new one when they change)
     * @param withheld       counts the changes published with their key only
     */
    SensitiveColumnGuard(Map<String, EntityDefinition> guardedByTopic, MissingColumns missing,
                         Function<ChangeEvent<String, String>, Object> schemaOf, LongAdder withheld) {
        this.guardedByTopic = Map.copyOf(guardedByTopic);
        this.missing = missing;
        this.schemaOf = schemaOf;
        this.withheld = withheld;
    }

    /** The guard of {@code catalog}'s CDC-fed entities with sensitive columns, reading the engine's schemas. */
    public static SensitiveColumnGuard of(EntityCatalog catalog, Function<EntityDefinition, String> topicOf, MissingColumns missing,
                                          LongAdder withheld) {
        Map<String, EntityDefinition> guarded = new HashMap<>();
        for (EntityDefinition e : catalog.cdcFed()) {
            if (!e.sensitive().isEmpty()) {
                guarded.put(topicOf.apply(e), e);
            }
        }
        return new SensitiveColumnGuard(guarded, missing, e -> CompactEvents.ENGINE_SCHEMA.apply(e), withheld);
    }

    /**
     * Why the values of {@code event} (for {@code topic}) must not be published, or null when they may be. A table whose
     * columns cannot be read is withheld too (its events are published again once they can be).
     */
    String withheld(String topic, ChangeEvent<String, String> event) {
        EntityDefinition entity = guardedByTopic.get(topic);
        if (entity == null) {
            return null;
        }
        Object schema = schemaOf.apply(event);
        String verdict = verdicts.get(schema);
        if (verdict == null) {
            try {
                verdict = check(entity);
                if (verdicts.size() >= MAX_REMEMBERED) {
                    verdicts.clear();
                }
                verdicts.put(schema, verdict);
            } catch (SQLException e) {
                // not remembered: the next event of the table asks again
                verdict = "cannot read the columns of " + entity.qualifiedTable() + " to check its sensitive columns (" + e.getMessage() + ")";
            }
        }
        if (verdict.isEmpty()) {
            return null;
        }
        withheld.increment();
        WITHHELD_LOG.error(LOG, "a change of {} is published with its key only (cache-sync invalidates the row): {}", entity.qualifiedTable(), verdict);
        return verdict;
    }

    /** Why the table's values are withheld, or "" when they are not. */
    private String check(EntityDefinition entity) throws SQLException {
        List<String> gone = missing.of(entity);
        return gone.isEmpty() ? "" : "entities." + entity.name() + ".sensitive names " + gone + ", which " + entity.qualifiedTable()
                + " no longer has (renamed or dropped?): its values are withheld until the configuration names the table's"
                + " sensitive columns again and cdc-ingest restarts";
    }
}
