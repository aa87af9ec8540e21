package io.cachesync.devstack;

import io.cachesync.devstack.containers.DockerEngine;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The provider setting: its three values in any case, a clear error for anything else, and what each becomes with and without an engine. */
class StackProviderTest {
    private String saved;

    @BeforeEach
    void saveSetting() {
        saved = System.getProperty(StackProvider.PROPERTY);
    }

    @AfterEach
    void restoreSetting() {
        if (saved == null) {
            System.clearProperty(StackProvider.PROPERTY);
        } else {
            System.setProperty(StackProvider.PROPERTY, saved);
        }
    }

    @Test
    void parsesTheThreeValuesInAnyCase() {
        assertThat(StackProvider.parse("embedded")).isEqualTo(StackProvider.EMBEDDED);
        assertThat(StackProvider.parse(" Testcontainers ")).isEqualTo(StackProvider.TESTCONTAINERS);
        assertThat(StackProvider.parse("AUTO")).isEqualTo(StackProvider.AUTO);
        assertThat(StackProvider.accepted()).isEqualTo("embedded, testcontainers, auto");
    }

    @Test
    void anUnknownValueIsAnErrorNamingTheAcceptedValues() {
        assertThatThrownBy(() -> StackProvider.parse("docker"))
                .isInstanceOf(DevStackException.class)
                .hasMessage("devstack: unknown provider 'docker' (cachesync.devstack, CACHESYNC_DEVSTACK, --stack); "
                        + "accepted values: embedded, testcontainers, auto");
    }

    @Test
    void theSystemPropertyChoosesAndAnUnknownValueThereIsRefused() {
        System.setProperty(StackProvider.PROPERTY, "auto");
        assertThat(StackProvider.configured()).isEqualTo(StackProvider.AUTO);
        System.setProperty(StackProvider.PROPERTY, "podman");
        assertThatThrownBy(StackProvider::configured).hasMessageContaining("accepted values: embedded, testcontainers, auto");
    }

    @Test
    void autoFallsBackToEmbeddedWithoutAnEngineAndEmbeddedNeverAsks() {
        assertThat(StackProvider.AUTO.resolve(() -> false)).isEqualTo(StackProvider.EMBEDDED);
        assertThat(StackProvider.AUTO.resolve(() -> true)).isEqualTo(StackProvider.TESTCONTAINERS);
        assertThat(StackProvider.EMBEDDED.resolve(() -> {
            throw new AssertionError("the embedded provider needs no engine");
        })).isEqualTo(StackProvider.EMBEDDED);
        assertThat(StackProvider.AUTO.resolve(DockerEngine::answers))
                .isEqualTo(DockerEngine.answers() ? StackProvider.TESTCONTAINERS : StackProvider.EMBEDDED);
    }

    @Test
    void testcontainersWithoutAnEngineIsOneClearError() {
        assertThat(StackProvider.TESTCONTAINERS.resolve(() -> true)).isEqualTo(StackProvider.TESTCONTAINERS);
        assertThatThrownBy(() -> StackProvider.TESTCONTAINERS.resolve(() -> false))
                .isInstanceOf(DevStackException.class)
                .hasMessageStartingWith("devstack: the testcontainers provider needs a Docker engine and none answers (")
                .hasMessageContaining("to run on the embedded stack instead")
                .hasMessageNotContaining("\n");
    }
}
