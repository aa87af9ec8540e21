package io.cachesync.core.config;

import io.cachesync.core.catalog.EntityCatalog;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** A key nothing reads is found, with the declared key it was probably meant to be. */
class UnknownKeysTest {
    private static final List<ConfigKey> DECLARED = declared();

    private static List<ConfigKey> declared() {
        List<ConfigKey> keys = new ArrayList<>(List.of(SharedKeys.POSTGRES_URL, SharedKeys.POSTGRES_SSLMODE, SharedKeys.REDIS_URL,
                EntityCatalog.ENTITIES, TypedKey.port("api.port", "HTTP port", 8080, false)));
        keys.addAll(EntityCatalog.ENTITY_KEYS);
        return keys;
    }

    @Test
    void declaredKeysAndEveryEntitysKeysAreKnown() {
        assertThat(UnknownKeys.problems(List.of("postgres.url", "api.port", "entities", "entities.users.ttl", "entities.order_lines.key",
                "entities.products.lists", "entities.products.lists.category.max-per-page", "entities.products.search.fields"), DECLARED))
                .isEmpty();
    }

    @Test
    void aTypoIsNamedWithTheKeyItWasProbablyMeantToBe() {
        assertThat(UnknownKeys.problems(List.of("api.prot", "postgres.ssl-mode", "entities.users.tll", "entities.products.lists.category.max-page"),
                DECLARED)).containsExactly(
                "'api.prot' is not a cachesync setting (did you mean api.port?); `cachesync <service> --print-config-keys` lists them",
                "'entities.products.lists.category.max-page' is not a cachesync setting (did you mean "
                        + "entities.products.lists.category.max-per-page?); `cachesync <service> --print-config-keys` lists them",
                "'entities.users.tll' is not a cachesync setting (did you mean entities.users.ttl?); `cachesync <service> --print-config-keys` lists them",
                "'postgres.ssl-mode' is not a cachesync setting (did you mean postgres.sslmode?); `cachesync <service> --print-config-keys` lists them");
    }

    @Test
    void aKeyFarFromEveryDeclaredOneGetsNoGuess() {
        assertThat(UnknownKeys.problems(List.of("metrics.enabled"), DECLARED)).singleElement().asString()
                .startsWith("'metrics.enabled' is not a cachesync setting;");
    }

    @Test
    void environmentVariablesThatSetNothingAreFoundAndOthersAreLeftAlone() {
        Map<String, String> env = Map.of("CACHESYNC_REDIS_URL", "redis://r:6379", "CACHESYNC_ENTITIES_ORDER_LINES_TTL", "5m",
                "CACHESYNC_API_PROT", "9090", "CACHESYNC_LOG_FORMAT", "json", "PATH", "/bin");
        assertThat(UnknownKeys.variables(env, DECLARED, Set.of("CACHESYNC_LOG_FORMAT"))).containsExactly("CACHESYNC_API_PROT");
    }

    @Test
    void distanceCountsEdits() {
        assertThat(UnknownKeys.distance("api.prot", "api.port")).isEqualTo(2);
        assertThat(UnknownKeys.distance("ttl", "ttl")).isZero();
        assertThat(UnknownKeys.distance("", "abc")).isEqualTo(3);
    }
}
