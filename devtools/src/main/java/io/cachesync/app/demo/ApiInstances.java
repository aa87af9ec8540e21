package io.cachesync.app.demo;

import io.cachesync.api.ApiService;
import io.cachesync.api.config.ApiConfig;
import io.cachesync.core.config.Settings;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import java.util.ArrayList;
import java.util.List;

/**
 * The demo's query-api instances ({@code --api-instances}), each on its own free port with its own L1; the first reports
 * to the demo's registry, every other one to its own (each serves its own /metrics on its admin port). The demo's
 * readers spread over them.
 */
final class ApiInstances implements AutoCloseable {
    private final List<ApiService> instances = new ArrayList<>();

    static ApiInstances start(int n, Settings settings, PrometheusMeterRegistry registry) {
        ApiInstances all = new ApiInstances();
        try {
            ApiConfig config = ApiConfig.from(settings);
            for (int i = 0; i < n; i++) {
                all.instances.add((i == 0 ? new ApiService(config, registry) : new ApiService(config)).start());
            }
            return all;
        } catch (RuntimeException e) {
            all.close();
            throw e;
        }
    }

    ApiService first() {
        return instances.get(0);
    }

    List<ApiService> all() {
        return List.copyOf(instances);
    }

    /** The base URL reader {@code i} uses: the instances in turn. */
    String baseUrl(int i) {
        return instances.get(i % instances.size()).baseUrl();
    }

    @Override
    public void close() {
        for (int i = instances.size() - 1; i >= 0; i--) {
            instances.get(i).close();
        }
    }
}
