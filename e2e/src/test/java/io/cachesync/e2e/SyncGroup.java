package io.cachesync.e2e;

import org.apache.kafka.clients.admin.Admin;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** What a suite watches of cache-sync instances: the members of their consumer group, and a counter of one instance. */
final class SyncGroup {
    private SyncGroup() {
    }

    /** Members of the group {@code applicationId} now. */
    static int members(Admin admin, String applicationId) throws Exception {
        return admin.describeConsumerGroups(List.of(applicationId)).all().get(10, TimeUnit.SECONDS)
                .get(applicationId).members().size();
    }

    /** A counter of an instance in another JVM, from its /metrics (summed over its labels); -1 while unreadable. */
    static double metric(int port, String name) {
        try {
            String metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()).body();
            return metrics.lines().filter(l -> l.startsWith(name + " ") || l.startsWith(name + "{"))
                    .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
        } catch (Exception e) {
            return -1;
        }
    }
}
