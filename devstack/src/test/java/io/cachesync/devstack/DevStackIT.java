package io.cachesync.devstack;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class DevStackIT {
    static DevStack stack;

    @BeforeAll
    static void up() {
        stack = DevStack.start();
    }

    @AfterAll
    static void down() {
        stack.close();
    }

    @Test
    void postgresHasLogicalWalAndSurvivesARestart() throws Exception {
        try (Connection c = stack.postgres().connect(); Statement st = c.createStatement()) {
            ResultSet rs = st.executeQuery("show wal_level");
            rs.next();
            assertThat(rs.getString(1)).isEqualTo("logical");
            st.execute("create table if not exists restart_probe(id int primary key)");
            st.execute("insert into restart_probe values (1) on conflict do nothing");
        }
        stack.postgres().stop();
        assertThat(stack.postgres().isRunning()).isFalse();
        stack.postgres().start();
        try (Connection c = stack.postgres().connect(); Statement st = c.createStatement()) {
            ResultSet rs = st.executeQuery("select count(*) from restart_probe");
            rs.next();
            assertThat(rs.getInt(1)).isEqualTo(1);
        }
    }

    @Test
    void kafkaKeepsTopicsAcrossARestart() throws Exception {
        Map<String, Object> cfg = Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafka().bootstrapServers());
        try (Admin admin = Admin.create(cfg)) {
            admin.createTopics(List.of(new NewTopic("probe", 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
        stack.kafka().stop();
        stack.kafka().start();
        try (Admin admin = Admin.create(cfg)) {
            assertThat(admin.listTopics().names().get(60, TimeUnit.SECONDS)).contains("probe");
        }
    }

    @Test
    void redisRestartsEmptyAfterAKill() throws Exception {
        assertThat(stack.redis().ping()).isTrue();
        stack.redis().kill();
        assertThat(stack.redis().isRunning()).isFalse();
        stack.redis().start();
        assertThat(stack.redis().ping()).isTrue();
    }
}
