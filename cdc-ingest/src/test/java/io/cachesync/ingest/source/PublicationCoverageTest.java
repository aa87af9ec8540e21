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
            st.execute("CREATE TABLE shop.p (region text, id bigint, PRIMARY KEY (region, id)) PARTITION BY LIST (region)");
            st.execute("CREATE TABLE shop.p_eu PARTITION OF shop.p FOR VALUES IN ('eu')");
            st.execute("CREATE PUBLICATION pub_p FOR TABLE public.a, shop.p");
            st.execute("CREATE PUBLICATION pub_p_root FOR TABLE shop.p WITH (publish_via_partition_root = true)");
            st.execute("CREATE PUBLICATION pub_no_truncate FOR TABLE public.a WITH (publish = 'insert, update, delete')");
            st.execute("CREATE TABLE shop.\"Order\" (id bigint PRIMARY KEY)");
            st.execute("CREATE PUBLICATION pub_quoted FOR TABLE public.a");
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
            assertThat(PublicationCoverage.existsWithoutTruncate(c, "pub_no_truncate")).isTrue();
            assertThat(PublicationCoverage.existsWithoutTruncate(c, "pub_ab")).isFalse();
            assertThat(PublicationCoverage.existsWithoutTruncate(c, "no_such_pub")).isFalse();
            assertThat(PublicationCoverage.exists(c, "pub_a")).isTrue();
            assertThat(PublicationCoverage.exists(c, "no_such_pub")).isFalse();
        }
    }

    @Test
    void theStatementThatAddsAMixedCaseTableQuotesItSoThatItRuns() throws Exception {
        try (Connection c = postgres.connect(); Statement st = c.createStatement()) {
            List<String> captured = List.of("public.a", "shop.Order");
            String message = "";
            try {
                PublicationCoverage.require(c, "pub_quoted", captured);
            } catch (SQLException e) {
                message = e.getMessage();
            }
            assertThat(message).contains("does not list [shop.Order]");
            String alter = message.substring(message.indexOf("ALTER PUBLICATION"), message.indexOf(" (or CREATE"));
            assertThat(alter).isEqualTo("ALTER PUBLICATION pub_quoted ADD TABLE shop.\"Order\"");
            st.execute(alter);
            assertThat(PublicationCoverage.missing(c, "pub_quoted", captured)).isEmpty();
        }
    }

    @Test
    void aPartitionedTableIsCoveredOnlyByAPublicationThatPublishesViaItsRoot() throws Exception {
        try (Connection c = postgres.connect()) {
            assertThat(PublicationCoverage.partitioned(c, List.of("public.a", "shop.b", "shop.p"))).containsExactly("shop.p");
            assertThat(PublicationCoverage.partitioned(c, List.of("public.a", "shop.p_eu"))).as("a partition itself is a table").isEmpty();
            assertThat(PublicationCoverage.existsWithoutPartitionRoot(c, "pub_p")).isTrue();
            assertThat(PublicationCoverage.missing(c, "pub_p", List.of("shop.p"))).as("it lists the partitions instead")
                    .containsExactly("shop.p");
            assertThat(PublicationCoverage.existsWithoutPartitionRoot(c, "pub_p_root")).isFalse();
            assertThat(PublicationCoverage.existsWithoutPartitionRoot(c, "no_such_pub")).isFalse();
            assertThat(PublicationCoverage.missing(c, "pub_p_root", List.of("shop.p"))).isEmpty();

            List<String> captured = List.of("public.a", "shop.p");
            assertThatThrownBy(() -> PublicationCoverage.requirePartitionRoot(c, "pub_p", captured, false))
                    .isInstanceOf(SQLException.class).hasMessageContaining("partitioned table(s) [shop.p]")
                    .hasMessageContaining("ALTER PUBLICATION pub_p SET (publish_via_partition_root = true)");
            assertThat(PublicationCoverage.existsWithoutPartitionRoot(c, "pub_p")).as("left as it was").isTrue();
            assertThat(PublicationCoverage.requirePartitionRoot(c, "pub_p_root", captured, false)).isEmpty();
            assertThat(PublicationCoverage.requirePartitionRoot(c, "pub_a", List.of("public.a"), false)).as("nothing partitioned").isEmpty();

            assertThat(PublicationCoverage.requirePartitionRoot(c, "pub_p", captured, true)).as("changed: to be read again")
                    .containsExactly("shop.p");
            assertThat(PublicationCoverage.existsWithoutPartitionRoot(c, "pub_p")).isFalse();
            assertThat(PublicationCoverage.missing(c, "pub_p", captured)).isEmpty();
            assertThat(PublicationCoverage.requirePartitionRoot(c, "pub_p", captured, true)).as("already so").isEmpty();
        }
    }
}
