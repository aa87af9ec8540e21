package io.cachesync.core.config;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The one PostgreSQL endpoint every service builds its connections from. */
class PostgresEndpointTest {
    private static PostgresEndpoint read(Map<String, String> m, List<String> problems) {
        return PostgresEndpoint.from(Settings.of(m), problems);
    }

    @Test
    void readsTheFourSharedKeysAndTakesTheUrlApartForDebezium() {
        List<String> problems = new ArrayList<>();
        PostgresEndpoint p = read(Map.of("postgres.url", "jdbc:postgresql://db.example:5433/shop?ApplicationName=x",
                "postgres.user", "reader", "postgres.password", "pg-secret", "postgres.sslmode", "verify-full"), problems);
        assertThat(problems).isEmpty();
        assertThat(p.host()).isEqualTo("db.example");
        assertThat(p.port()).isEqualTo(5433);
        assertThat(p.database()).isEqualTo("shop");
        assertThat(p.driverProperties()).containsEntry("user", "reader").containsEntry("password", "pg-secret")
                .containsEntry("sslmode", "verify-full");
    }

    @Test
    void defaultsArePortFiveFourThreeTwoAndSslmodePrefer() {
        List<String> problems = new ArrayList<>();
        PostgresEndpoint p = read(Map.of("postgres.url", "jdbc:postgresql://db.example/"), problems);
        assertThat(problems).isEmpty();
        assertThat(p.port()).isEqualTo(5432);
        assertThat(p.database()).isEqualTo("postgres");
        assertThat(p.sslMode()).isEqualTo("prefer");
    }

    @Test
    void badValuesAreProblemsNamingTheKeyWithoutTheirSecrets() {
        List<String> problems = new ArrayList<>();
        read(Map.of("postgres.url", "postgresql://u:leaked@db/shop", "postgres.sslmode", "required"), problems);
        assertThat(problems).hasSize(2);
        assertThat(String.join("\n", problems)).contains("postgres.url", "postgres.sslmode").doesNotContain("leaked");
        problems.clear();
        read(Map.of("postgres.url", "jdbc:postgresql:///shop"), problems);
        assertThat(problems).singleElement().asString().contains("has no host:port/db");
    }

    @Test
    void itsTextNeverShowsThePassword() {
        PostgresEndpoint p = new PostgresEndpoint("jdbc:postgresql://db/shop?password=in-url", "u", "pg-secret", "require");
        assertThat(p.toString()).doesNotContain("pg-secret").doesNotContain("in-url").contains("postgres.password=<masked>")
                .contains("postgres.sslmode=require");
    }
}
