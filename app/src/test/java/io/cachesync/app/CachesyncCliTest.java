package io.cachesync.app;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** Bad input on the command line gets a message and a non-zero exit code, before anything starts. */
class CachesyncCliTest {
    record Run(int code, String err, String out) {
    }

    static Run run(String... args) {
        CommandLine cl = CachesyncCli.commandLine();
        StringWriter err = new StringWriter();
        StringWriter out = new StringWriter();
        cl.setErr(new PrintWriter(err, true));
        cl.setOut(new PrintWriter(out, true));
        int code = cl.execute(args);
        return new Run(code, err.toString(), out.toString());
    }

    @Test
    void unknownCommandIsAUsageError() {
        Run r = run("frobnicate");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("frobnicate");
    }

    @Test
    void theServiceCliHasNoDemoOrBench() {
        Run demo = run("demo");
        assertThat(demo.code()).isEqualTo(2);
        assertThat(demo.err()).contains("Unmatched argument").contains("'demo'");
        assertThat(run("bench").code()).isEqualTo(2);
        Run none = run();
        assertThat(none.err()).contains("name a command: verify, warm, ingest, sync, api or example-config");
    }

    @Test
    void serviceWithAMissingConfigFileFailsNamingTheFile(@TempDir Path dir) {
        Run r = run("sync", "--config", dir.resolve("absent.properties").toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("absent.properties does not exist");
    }

    @Test
    void serviceWithABadConfigFailsNamingEveryBadKey(@TempDir Path dir) throws Exception {
        Path cfg = dir.resolve("bad.properties");
        Files.writeString(cfg, "entities=\nredis.url=localhost:6379\napi.port=http\n");
        Run r = run("api", "--config", cfg.toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("query-api: invalid configuration").contains("entities is empty")
                .contains("redis.url is not a redis://").contains("api.port is not a TCP port number");
    }

    @Test
    void aConfigFileKeyNothingReadsIsRefusedWithTheKeyItWasProbablyMeantToBe(@TempDir Path dir) throws Exception {
        Path cfg = dir.resolve("typo.yaml");
        Files.writeString(cfg, "postgres:\n  ssl-mode: require\napi:\n  prot: 9090\nentities:\n  users:\n    tll: 5m\n");
        Run r = run("api", "--config", cfg.toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("config file " + cfg + ": invalid configuration")
                .contains("'postgres.ssl-mode' is not a cachesync setting (did you mean postgres.sslmode?)")
                .contains("'api.prot' is not a cachesync setting (did you mean api.port?)")
                .contains("'entities.users.tll' is not a cachesync setting (did you mean entities.users.ttl?)");
        Run verify = run("verify", "--config", cfg.toString());
        assertThat(verify.code()).as("the operator commands read the same file").isEqualTo(2);
        assertThat(verify.err()).contains("'api.prot' is not a cachesync setting");
    }

    @Test
    void printConfigKeysListsEveryEntityKeyToo() {
        Run r = run("sync", "--print-config-keys");
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("sync.audit-fraction").contains("entities.<name>.key-type").contains("entities.<name>.search.fields");
    }

    @Test
    void printConfigKeysListsEnvironmentVariables() {
        Run r = run("api", "--print-config-keys");
        assertThat(r.code()).isZero();
    }
}
