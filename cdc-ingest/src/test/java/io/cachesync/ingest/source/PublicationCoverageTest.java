package io.cachesync.ingest.source;

import io.cachesync.devstack.DevPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.assertThatCode;

/** {@link PublicationCoverage} on a real PostgreSQL: a publication that lists every captured table, one that misses one, none. */
class PublicationCoverageTest {
    @TempDir
    static Path dir;
    static DevPostgres postgres;

    @BeforeAll
    static void start() throws Exception {
        postgres = DevPostgres.start(dir.resolve("pg"));
        try (Connection c = postgres.connect(); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE public.a (id bigint PRIMARY KEY)");
            st.execute("CREATE SCHEMA shop");
            st.execute("CREATE TABLE shop.b (id bigint PRIMARY KEY)");
            st.execute("CREATE PUBLICATION pub_ab FOR TABLE public.a, shop.b");
            st.execute("CREATE PUBLICATION pub_a FOR TABLE public.a");
        }
    }

    @AfterAll
    static void stop() {
        if (postgres != null) {
            postgres.stop();
        }
    }

    @Test
    void aPublicationMustListEveryCapturedTable() throws Exception {
        try (Connection c = postgres.connect()) {
            List<String> captured = List.of("public.a", "shop.b");
            assertThat(PublicationCoverage.missing(c, "pub_ab", captured)).isEmpty();
            assertThatCode(() -> PublicationCoverage.require(c, "pub_ab", captured)).doesNotThrowAnyException();
            assertThat(PublicationCoverage.missing(c, "pub_a", captured)).containsExactly("shop.b");
            assertThatThrownBy(() -> PublicationCoverage.require(c, "pub_a", captured)).isInstanceOf(SQLException.class)
                    .hasMessageContaining("does not list [shop.b]").hasMessageContaining("ALTER PUBLICATION pub_a ADD TABLE shop.b");
            assertThat(PublicationCoverage.missing(c, "no_such_pub", captured)).as("no publication lists nothing").isEqualTo(captured);
        }
    }
}
