package io.cachesync.e2e;

import io.cachesync.core.topics.TopicNames;
import io.cachesync.app.verify.VerifyResult;
import io.cachesync.core.consistency.SourceEpoch;
import io.cachesync.core.keys.CacheKeys;
import io.cachesync.core.keys.KeyLayout;
import io.cachesync.core.metrics.MetricNames;
import io.cachesync.devstack.StackProvider;
import io.cachesync.ingest.config.IngestConfig;
import io.cachesync.ingest.engine.DebeziumProperties;
import io.cachesync.ingest.source.DebeziumOffsets;
import io.cachesync.ingest.source.SourceEpochs;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Issue 13, the source epoch: the database is restored to an earlier point (a cold backup of its data directory,
 * recovered onto a new timeline) while the pipeline runs. Its WAL positions are then lower than every one the cache
 * has applied; without the epoch every later change would be skipped as "older", and the rows the restore undid would
 * be served for their whole TTL.
 */
class SourceChangeIT {
    static final Duration PIPELINE = Duration.ofMinutes(2);

    @Test
    void aRestoreToAnEarlierPointIsFollowedNotIgnored() throws Exception {
        assumeTrue(StackProvider.chosen() == StackProvider.EMBEDDED,
                "needs the embedded devstack: it copies PostgreSQL's data directory on this host (cachesync.devstack=embedded)");
        try (Pipeline p = Pipeline.start(Map.of(), "INSERT INTO products SELECT g, 'product ' || g, 'c' || (g % 5), 10.50, now() "
                + "FROM generate_series(1, 2000) g;", 2000)) {
            // a cold backup: the data directory copied while the server is stopped
            p.stack.postgres().stop();
            Path backup = p.stack.workDir().resolve("postgres-backup");
            copyTree(p.stack.postgres().dataDir(), backup);
            p.stack.postgres().start();

            // changes the restore will undo, and WAL enough that every position after the restore is lower
            p.sql("UPDATE products SET name = 'after the backup' WHERE id <= 100");
            p.sql("DELETE FROM products WHERE id BETWEEN 1901 AND 2000");
            p.sql("INSERT INTO products SELECT g, 'inserted after the backup', 'c1', 1, now() FROM generate_series(2001, 2100) g");
            for (int i = 0; i < 3; i++) {
                p.sql("UPDATE products SET price = price + 1 WHERE id > 100");
            }
            await().alias("the changes after the backup served").atMost(PIPELINE).untilAsserted(() -> {
                assertThat(p.get("/v1/products/1").body()).contains("after the backup");
                assertThat(p.get("/v1/products/1950").statusCode()).isEqualTo(404);
                assertThat(p.get("/v1/products/2050").statusCode()).isEqualTo(200);
            });
            long positionBefore = walPosition(p);

            // the restore: the backup recovered to its end, onto timeline 2
            p.stack.postgres().stop();
            deleteTree(p.stack.postgres().dataDir());
            copyTree(backup, p.stack.postgres().dataDir());
            Files.writeString(p.stack.postgres().dataDir().resolve("recovery.signal"), "");
            Files.writeString(p.stack.postgres().dataDir().resolve("postgresql.auto.conf"), "\nrestore_command = 'false'\n",
                    StandardOpenOption.APPEND);
            p.stack.postgres().start();
            await().alias("recovery ended on a new timeline").atMost(PIPELINE).until(() -> !inRecovery(p));
            assertThat(walPosition(p)).as("positions after the restore are below those the cache applied").isLessThan(positionBefore);

            await().alias("the cache follows the restored database").atMost(PIPELINE).untilAsserted(() -> {
                assertThat(p.get("/v1/products/1").body()).contains("\"product 1\"");
                assertThat(p.get("/v1/products/100").body()).contains("\"product 100\"");
                assertThat(p.get("/v1/products/1950").statusCode()).as("deleted after the backup: back").isEqualTo(200);
                assertThat(p.get("/v1/products/2050").statusCode()).as("inserted after the backup: gone").isEqualTo(404);
            });
            // a change after the restore, at a lower position than those applied before it, is applied
            p.sql("UPDATE products SET name = 'after the restore' WHERE id = 5");
            p.sql("DELETE FROM products WHERE id = 6");
            await().alias("changes after the restore served").atMost(PIPELINE).untilAsserted(() -> {
                assertThat(p.get("/v1/products/5").body()).contains("after the restore");
                assertThat(p.get("/v1/products/6").statusCode()).isEqualTo(404);
            });

            Map<String, Object> kafka = IngestConfig.from(p.settings).kafkaClientConfig();
            SourceEpoch epoch = new SourceEpochs(kafka, TopicNames.DEFAULT.sourceEpochs(), new DebeziumOffsets(kafka, TopicNames.DEFAULT.ingestOffsets(), DebeziumProperties.ENGINE_NAME), Clock.systemUTC())
                    .latest().orElseThrow();
            assertThat(epoch.epoch()).isEqualTo(1);
            assertThat(epoch.timeline()).isEqualTo(2);
            assertThat(p.registry.get(MetricNames.SOURCE_PURGED_ROWS).counter().count()).isGreaterThan(0);
            assertThat(p.redis.hgetAll(CacheKeys.SOURCE)).containsEntry("e", "0001");

            VerifyResult.Counts products = p.drainAndVerify("products");
            await().alias("the change after the restore applied with the new epoch").atMost(PIPELINE).untilAsserted(() ->
                    assertThat(p.redis.hget(KeyLayout.STANDALONE.row("products", "5"), "v")).startsWith(SourceEpoch.hex(1)));
            assertThat(products.checked()).isGreaterThan(1000);
        }
    }

    private static long walPosition(Pipeline p) throws SQLException {
        try (Connection c = p.stack.postgres().connect(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT pg_current_wal_lsn() - '0/0'::pg_lsn")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static boolean inRecovery(Pipeline p) {
        try (Connection c = p.stack.postgres().connect(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT pg_is_in_recovery()")) {
            return rs.next() && rs.getBoolean(1);
        } catch (SQLException e) {
            return true;
        }
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> all = Files.walk(from)) {
            for (Path f : (Iterable<Path>) all::iterator) {
                Path target = to.resolve(from.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(target);
                    Files.setPosixFilePermissions(target, Files.getPosixFilePermissions(f));
                } else if (!f.getFileName().toString().equals("postmaster.pid")) {
                    Files.copy(f, target, java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path f : (Iterable<Path>) all.sorted(Comparator.reverseOrder())::iterator) {
                Files.delete(f);
            }
        }
    }
}
