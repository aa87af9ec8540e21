package io.cachesync.app;

import io.cachesync.api.config.ApiConfig;
import io.cachesync.core.config.ConfigKey;
import io.cachesync.core.config.Settings;
import io.cachesync.core.config.YamlSettingsReader;
import io.cachesync.ingest.config.IngestConfig;
import io.cachesync.sync.config.SyncConfig;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** cachesync.example.yaml is what the declarations render: it cannot drift from them. */
class ExampleConfigTest {
    /** The example at the repository root (tests run in the app module directory). */
    private static final Path EXAMPLE = Path.of("..", "cachesync.example.yaml");

    @Test
    void theCommittedExampleIsTheRenderedOne() throws Exception {
        assertThat(Files.readString(EXAMPLE)).as("cachesync.example.yaml is generated: run ./cachesync example-config > cachesync.example.yaml")
                .isEqualTo(ExampleConfig.render());
    }

    @Test
    void itSetsEveryServiceKeyAtItsDefault() {
        Map<String, String> values = YamlSettingsReader.read(EXAMPLE);
        for (ConfigKey k : ConfigFile.allKeys()) {
            if (k.name().contains("<") || k.name().equals("entities")) {
                continue;
            }
            if (k.defaultValue().isEmpty()) {
                assertThat(values).as(k.name() + " (empty default: left unset)").doesNotContainKey(k.name());
            } else {
                assertThat(values).as(k.name()).containsEntry(k.name(), k.defaultValue());
            }
        }
    }

    @Test
    void everyServiceStartsFromItAsItIs() {
        Settings s = ConfigFile.load(Optional.of(EXAMPLE), Map.of());
        assertThat(IngestConfig.from(s).postgres().sslMode()).isEqualTo("prefer");
        assertThat(SyncConfig.from(s).stateDir()).isEqualTo(Path.of(System.getProperty("java.io.tmpdir"), "cachesync-sync"));
        assertThat(ApiConfig.from(s).catalog().all()).hasSize(2);
    }

    @Test
    void secretsAreNeverWrittenIntoIt() {
        List<String> secrets = ConfigFile.allKeys().stream().filter(ConfigKey::secret).map(ConfigKey::name).toList();
        Map<String, String> values = YamlSettingsReader.read(EXAMPLE);
        assertThat(secrets).contains("postgres.password", "api.admin-token");
        for (String secret : secrets) {
            assertThat(values.getOrDefault(secret, "")).as(secret).doesNotContain("secret").doesNotContain("@");
        }
    }
}
