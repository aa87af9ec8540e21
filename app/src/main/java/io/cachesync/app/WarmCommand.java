package io.cachesync.app;

import io.cachesync.api.cache.ReadResult;
import io.cachesync.api.cache.ReadThroughCache;
import io.cachesync.api.config.ApiConfig;
import io.cachesync.api.db.PostgresRowSource;
import io.cachesync.core.catalog.EntityCatalog;
import io.cachesync.core.catalog.EntityDefinition;
import io.cachesync.core.catalog.SchemaCheck;
import io.cachesync.core.redis.CacheStore;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import redis.clients.jedis.UnifiedJedis;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

/** {@code cachesync warm <entity>}: reads rows from the database into the cache through the lease/fill protocol. */
@Command(name = "warm", mixinStandardHelpOptions = true,
        description = {"Loads rows of an entity into Redis (in key order, up to --limit), through the same lease and fill",
                "as a read-through, so a change cache-sync applies meanwhile always wins. Rows already cached are left alone."})
public final class WarmCommand implements Callable<Integer> {
    private static final int CHUNK = 100;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", description = "The entity (or view) to warm.")
    String entity;

    @Option(names = {"-c", "--config"}, description = "A properties or YAML file (the keys query-api reads); CACHESYNC_* environment variables win.")
    Path config;

    @Option(names = "--limit", defaultValue = "100000", description = "Rows to warm at most (default: ${DEFAULT-VALUE}).")
    int limit;

    @Override
    public Integer call() throws Exception {
        if (limit < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--limit must be at least 1, was " + limit);
        }
        ApiConfig c = ApiConfig.from(ConfigFile.load(Optional.ofNullable(config), System.getenv()));
        EntityDefinition configured = c.catalog().byName(entity).orElseThrow(() -> new CommandLine.ParameterException(spec.commandLine(),
                "no entity named '" + entity + "' is configured; configured: " + c.catalog().all().stream().map(EntityDefinition::name).toList()));
        EntityCatalog keyed = SchemaCheck.atStart("warm", c.catalog(), c.postgres());
        // a view is warmed by its root's ids (its schema, table and key are its root's): each document is composed and filled
        EntityDefinition e = keyed.byName(entity).orElse(configured);
        PrintWriter out = spec.commandLine().getOut();
        long cached = 0;
        long filled = 0;
        long total = 0;
        try (UnifiedJedis redis = c.redis().client(4, c.redisTimeout());
             PostgresRowSource db = new PostgresRowSource(keyed, c.postgres(), 2, c.dbTimeout(), c.statementTimeout())) {
            ReadThroughCache cache = new ReadThroughCache(new CacheStore(redis), db, c.leaseTtl(), c.leaseWait());
            for (List<String> ids : ids(c, e)) {
                Map<String, ReadResult> r = cache.getMany(e, ids);
                for (ReadResult x : r.values()) {
                    total++;
                    if (x.source() == ReadResult.Source.MISS) {
                        filled++;
                    } else {
                        cached++;
                    }
                }
            }
        }
        out.printf("warmed %s: %,d rows read, %,d filled into Redis, %,d were already cached%n", e.name(), total, filled, cached);
        out.flush();
        return 0;
    }

    private List<List<String>> ids(ApiConfig c, EntityDefinition e) throws Exception {
        List<List<String>> chunks = new ArrayList<>();
        try (Connection conn = c.postgres().connect();
             PreparedStatement ps = conn.prepareStatement("SELECT " + e.key().columnList() + " FROM " + e.sqlTable()
                     + " ORDER BY " + e.key().columnList() + " LIMIT ?")) {
            ps.setInt(1, limit);
            try (ResultSet rs = ps.executeQuery()) {
                List<String> chunk = new ArrayList<>();
                while (rs.next()) {
                    Optional<String> id = e.key().ofRow(rs);
                    if (id.isEmpty()) {
                        continue; // a key cachesync cannot address (an empty or over-long text): never cached
                    }
                    chunk.add(id.get());
                    if (chunk.size() == CHUNK) {
                        chunks.add(chunk);
                        chunk = new ArrayList<>();
                    }
                }
                if (!chunk.isEmpty()) {
                    chunks.add(chunk);
                }
            }
        }
        return chunks;
    }
}
