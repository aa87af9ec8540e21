package io.cachesync.core.topics;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Creates the topics cachesync needs when they are missing (idempotent; brokers need not auto-create topics), and
 * returns once every partition of them has a leader: an idempotent producer whose first batch to a partition meets
 * {@code NOT_LEADER_OR_FOLLOWER} can have its next batch accepted first and the retried one refused for good
 * ({@code OUT_OF_ORDER_SEQUENCE_NUMBER}, seen on a busy 2-core machine with a topic created a moment before).
 */
public final class TopicProvisioner {
    private static final Logger LOG = LoggerFactory.getLogger(TopicProvisioner.class);

    private TopicProvisioner() {
    }

    /**
     * @param adminConfig   Kafka admin client properties (bootstrap servers, security)
     * @param topics        the topic names
     * @param partitions    partitions of a new topic
     * @param replication   replication factor of a new topic
     * @param configs       topic configs of a new topic (e.g. cleanup.policy)
     */
    public static void ensure(Map<String, Object> adminConfig, Collection<String> topics, int partitions, short replication,
                              Map<String, String> configs, Duration timeout) {
        try (Admin admin = Admin.create(adminConfig)) {
            Set<String> existing = admin.listTopics().names().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            List<NewTopic> missing = topics.stream().filter(t -> !existing.contains(t))
                    .map(t -> new NewTopic(t, partitions, replication).configs(configs)).toList();
            if (missing.isEmpty()) {
                return;
            }
            long deadline = System.nanoTime() + timeout.toNanos();
            try {
                admin.createTopics(missing).all().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw e;
                }
            }
            List<String> created = missing.stream().map(NewTopic::name).toList();
            awaitLeaders(admin, created, deadline);
            LOG.info("created topics {}", created);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topics " + topics, e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("Kafka at " + adminConfig.get("bootstrap.servers") + " did not create topics "
                    + topics + " within " + timeout + ": " + e, e);
        }
    }

    /** Waits until every partition of {@code topics} has a leader, or throws {@link TimeoutException} at {@code deadline}. */
    private static void awaitLeaders(Admin admin, List<String> topics, long deadline)
            throws InterruptedException, ExecutionException, TimeoutException {
        long pauseMs = 10;
        while (true) {
            long leftMs = Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
            List<String> leaderless = leaderless(admin, topics, leftMs);
            if (leaderless.isEmpty()) {
                return;
            }
            if (System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(pauseMs) > deadline) {
                throw new TimeoutException("partitions without a leader: " + leaderless);
            }
            TimeUnit.MILLISECONDS.sleep(pauseMs);
            pauseMs = Math.min(pauseMs * 2, 200);
        }
    }

    /** The partitions of {@code topics} that have no leader yet (a topic the broker does not list yet counts as one). */
    static List<String> leaderless(Admin admin, Collection<String> topics, long timeoutMs)
            throws InterruptedException, ExecutionException, TimeoutException {
        List<String> result = new ArrayList<>();
        Map<String, KafkaFuture<TopicDescription>> futures = admin.describeTopics(topics).topicNameValues();
        for (Map.Entry<String, KafkaFuture<TopicDescription>> f : futures.entrySet()) {
            try {
                for (TopicPartitionInfo p : f.getValue().get(timeoutMs, TimeUnit.MILLISECONDS).partitions()) {
                    if (p.leader() == null || p.leader().isEmpty()) {
                        result.add(f.getKey() + "-" + p.partition());
                    }
                }
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
                    throw e;
                }
                result.add(f.getKey());
            }
        }
        return result;
    }
}
