package io.cachesync.api;

import io.cachesync.api.cache.PageCacheLimits;
import io.cachesync.api.config.ApiConfig;
import io.cachesync.core.config.ConfigException;
import io.cachesync.core.config.Settings;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The settings that bound the work of one request: their defaults, and a start-up message for every bad value. */
class BoundedWorkSettingsTest {
    private static ApiConfig config(String... keyValues) {
        Map<String, String> m = new HashMap<>(Map.of("entities", "products", "entities.products.lists", "category",
                "entities.products.search.fields", "name"));
        for (int i = 0; i < keyValues.length; i += 2) {
            m.put(keyValues[i], keyValues[i + 1]);
        }
        return ApiConfig.from(Settings.of(m));
    }

    @Test
    void defaultsBoundEveryRequest() {
        ApiConfig c = config();
        assertThat(c.statementTimeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(c.limits().maxPageDepth()).isEqualTo(10_000);
        assertThat(c.pageCache()).isEqualTo(new PageCacheLimits(1_000, 65_536));
        assertThat(c.popularityMax()).isEqualTo(10_000);
        assertThat(ApiConfig.KEYS).extracting(k -> k.name()).contains("api.statement-timeout", "api.max-page-depth", "api.max-cached-pages",
                "api.max-cached-page-bytes", "api.popularity-max");
    }

    @Test
    void settingsAreRead() {
        ApiConfig c = config("api.statement-timeout", "250ms", "api.max-page-depth", "500", "api.max-cached-pages", "0",
                "api.max-cached-page-bytes", "1024", "api.popularity-max", "50", "api.warm-top", "50");
        assertThat(c.statementTimeout()).isEqualTo(Duration.ofMillis(250));
        assertThat(c.limits().maxPageDepth()).isEqualTo(500);
        assertThat(c.pageCache()).isEqualTo(new PageCacheLimits(0, 1024));
        assertThat(c.popularityMax()).isEqualTo(50);
    }

    @Test
    void statementTimeoutMustBePositive() {
        assertThatThrownBy(() -> config("api.statement-timeout", "0s")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("api.statement-timeout must be positive, was '0s'");
        assertThatThrownBy(() -> config("api.statement-timeout", "30d")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("api.statement-timeout must be between 1ms and");
    }

    @Test
    void pageDepthMustCoverTheLargestPageAClientMayAskFor() {
        assertThatThrownBy(() -> config("api.max-page-depth", "99")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("api.max-page-depth (99) must be at least the largest page a client may ask for, a search");
        assertThatThrownBy(() -> config("api.max-page-depth", "400", "entities.products.lists.category.max-per-page", "500"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("entities.products.lists.category.max-per-page (500)");
        assertThat(config("api.max-page-depth", "100").limits().maxPageDepth()).isEqualTo(100);
    }

    @Test
    void pageCacheAndPopularityBoundsAreValidated() {
        assertThatThrownBy(() -> config("api.max-cached-pages", "-1")).hasMessageContaining("api.max-cached-pages must be at least 0, was '-1'");
        assertThatThrownBy(() -> config("api.max-cached-page-bytes", "0")).hasMessageContaining("api.max-cached-page-bytes must be at least 1");
        assertThatThrownBy(() -> config("api.popularity-max", "0")).hasMessageContaining("api.popularity-max must be at least 1");
        assertThatThrownBy(() -> config("api.popularity-max", "10", "api.warm-top", "11"))
                .hasMessageContaining("api.warm-top (11) must not exceed api.popularity-max (10)");
    }
}
