package io.cachesync.core.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.cachesync.core.util.Threads;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;

/**
 * The small HTTP server of cdc-ingest and cache-sync (they have no web framework): {@code /metrics} (Prometheus text),
 * {@code /health/live} and {@code /health/ready}. Port 0 picks a free port; a negative port disables it.
 */
public final class MetricsHttpServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MetricsHttpServer.class);

    private final HttpServer server;

    private MetricsHttpServer(HttpServer server) {
        this.server = server;
    }

    /**
     * Starts the server, or returns null when {@code port} is negative.
     *
     * @param live  false when the service's worker is dead or crash-looping: {@code /health/live} answers 503, so that
     *              Kubernetes restarts the process
     * @param ready false while the service cannot do its work yet (or for now): {@code /health/ready} answers 503
     */
    public static MetricsHttpServer start(String host, int port, PrometheusMeterRegistry registry, BooleanSupplier live, BooleanSupplier ready,
                                          String service) {
        if (port < 0) {
            return null;
        }
        try {
            HttpServer s = HttpServer.create(new InetSocketAddress(host, port), 64);
            s.createContext("/metrics", ex -> respond(ex, 200, "text/plain; version=0.0.4; charset=utf-8", registry.scrape()));
            s.createContext("/health/live", ex -> health(ex, live));
            s.createContext("/health/ready", ex -> health(ex, ready));
            s.setExecutor(Executors.newFixedThreadPool(2, Threads.daemon("cachesync-" + service + "-http")));
            s.start();
            LOG.info("{} serves /metrics and /health on {}:{}", service, host, s.getAddress().getPort());
            return new MetricsHttpServer(s);
        } catch (IOException e) {
            throw new UncheckedIOException(service + ": cannot listen on " + host + ":" + port + " for /metrics: " + e.getMessage(), e);
        }
    }

    private static void health(HttpExchange ex, BooleanSupplier check) throws IOException {
        boolean ok;
        try {
            ok = check.getAsBoolean();
        } catch (RuntimeException e) {
            ok = false;
        }
        respond(ex, ok ? 200 : 503, "application/json", "{\"status\":\"" + (ok ? "UP" : "DOWN") + "\"}");
    }

    private static void respond(HttpExchange ex, int status, String contentType, String body) throws IOException {
        try (ex) {
            if (!"GET".equals(ex.getRequestMethod()) && !"HEAD".equals(ex.getRequestMethod())) {
                ex.sendResponseHeaders(405, -1);
                return;
            }
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", contentType);
            ex.sendResponseHeaders(status, bytes.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    public int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
        ((ExecutorService) server.getExecutor()).shutdownNow();
    }
}
