package io.cachesync.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.cachesync.core.codec.ValueCodec;
import io.javalin.Javalin;
import io.javalin.router.ParsedEndpoint;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The OpenAPI document served at {@code /openapi.json} against the routes the running app really has: every route
 * Javalin registered is documented with its method, and every documented operation answers (with the status, content
 * type and headers the document promises) when called with the document's own example parameters.
 */
class OpenApiRoutesIT {
    private static final Set<String> HTTP_METHODS = Set.of("get", "put", "post", "delete", "options", "head", "patch", "trace");
    private static final Pattern PATH_PARAM = Pattern.compile("\\{([^}/]+)}");

    static ApiTestStack stack;
    static String base;
    static String adminBase;
    static final String ADMIN_TOKEN = "openapi-it-token";
    static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        stack = ApiTestStack.start("query-api-openapi-it", 20, ADMIN_TOKEN);
        base = "http://127.0.0.1:" + stack.port();
        adminBase = "http://127.0.0.1:" + stack.adminPort();
    }

    @AfterAll
    static void stop() {
        if (stack != null) {
            stack.close();
        }
    }

    static HttpResponse<String> get(String pathAndQuery) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(base + pathAndQuery)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    static JsonNode served() throws Exception {
        HttpResponse<String> r = get("/openapi.json");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("application/json");
        return ValueCodec.mapper().readTree(r.body());
    }

    /** {@code GET /v1/{entity}} as {@code "GET /v1/{entity}"}, for every operation of the document. */
    static Set<String> documentedRoutes(JsonNode doc) {
        Set<String> out = new TreeSet<>();
        for (Map.Entry<String, JsonNode> p : doc.get("paths").properties()) {
            p.getValue().fieldNames().forEachRemaining(m -> {
                if (HTTP_METHODS.contains(m)) {
                    out.add(m.toUpperCase(Locale.ROOT) + " " + p.getKey());
                }
            });
        }
        return out;
    }

    /** What Javalin itself has registered (its internal router), with {@code <param>} written as {@code {param}}. */
    static Set<String> registeredRoutes() {
        Set<String> out = new TreeSet<>();
        for (Javalin app : List.of(stack.app, stack.adminApp)) {
            for (ParsedEndpoint pe : app.unsafe.internalRouter.allHttpHandlers()) {
                if (pe.endpoint.method.isHttpMethod()) {
                    out.add(pe.endpoint.method.name().toUpperCase(Locale.ROOT) + " " + normalise(pe.endpoint.path));
                }
            }
        }
        return out;
    }

    /** Paths documented with the admin port as their server (every /admin path and /metrics), answered only there. */
    static boolean onAdminPort(JsonNode pathItem) {
        return pathItem.path("servers").path(0).path("variables").has("admin");
    }

    @Test
    void adminAndMetricsAreDocumentedOnTheAdminPortAndServedOnlyThere() throws Exception {
        JsonNode doc = served();
        for (Map.Entry<String, JsonNode> p : doc.get("paths").properties()) {
            boolean admin = p.getKey().startsWith("/admin") || p.getKey().equals("/metrics");
            assertThat(onAdminPort(p.getValue())).as(p.getKey()).isEqualTo(admin);
        }
        assertThat(call(base, "GET", "/metrics", null).statusCode()).as("/metrics on api.port").isEqualTo(404);
        assertThat(call(base, "GET", "/admin/cache/stats", ADMIN_TOKEN).statusCode()).as("/admin on api.port").isEqualTo(404);
        assertThat(call(adminBase, "GET", "/v1/products/1", null).statusCode()).as("reads on the admin port").isEqualTo(404);
    }

    static String normalise(String javalinPath) {
        return javalinPath.replaceAll("<([^>/]+)>", "{$1}");
    }

    /** Follows a local {@code $ref} ({@code #/components/...}) if the node is one. */
    static JsonNode deref(JsonNode doc, JsonNode node) {
        while (node != null && node.has("$ref")) {
            String ref = node.get("$ref").asText();
            assertThat(ref).as("only local references").startsWith("#/");
            JsonNode target = doc.at(ref.substring(1));
            assertThat(target.isMissingNode()).as("reference %s resolves", ref).isFalse();
            node = target;
        }
        return node;
    }

    static List<JsonNode> parameters(JsonNode doc, JsonNode pathItem, JsonNode operation) {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode holder : List.of(pathItem, operation)) {
            if (holder.has("parameters")) {
                holder.get("parameters").forEach(p -> out.add(deref(doc, p)));
            }
        }
        return out;
    }

    @Test
    void servedDocumentIsOpenApi3() throws Exception {
        JsonNode doc = served();
        assertThat(doc.path("openapi").asText()).startsWith("3.");
        assertThat(doc.path("info").path("title").asText()).isNotBlank();
        assertThat(doc.path("paths").size()).isPositive();
        JsonNode problem = deref(doc, doc.at("/components/schemas/Problem"));
        assertThat(problem.path("required")).extracting(JsonNode::asText).contains("type", "title", "status", "detail");
        assertThat(problem.path("properties").fieldNames()).toIterable().contains("type", "title", "status", "detail", "instance");
    }

    @Test
    void everyRegisteredRouteIsDocumentedWithItsMethod() throws Exception {
        Set<String> registered = registeredRoutes();
        assertThat(registered).as("Javalin's routes").isNotEmpty().contains("GET /v1/{entity}/{id}");
        assertThat(documentedRoutes(served())).containsAll(registered);
    }

    @Test
    void everyDocumentedRouteIsRegistered() throws Exception {
        assertThat(registeredRoutes()).containsAll(documentedRoutes(served()));
    }

    @Test
    void everyPathParameterInATemplateIsDeclared() throws Exception {
        JsonNode doc = served();
        for (Map.Entry<String, JsonNode> p : doc.get("paths").properties()) {
            for (Map.Entry<String, JsonNode> op : p.getValue().properties()) {
                if (!HTTP_METHODS.contains(op.getKey())) {
                    continue;
                }
                Set<String> declared = new TreeSet<>();
                parameters(doc, p.getValue(), op.getValue()).stream().filter(x -> "path".equals(x.path("in").asText()))
                        .forEach(x -> declared.add(x.get("name").asText()));
                Set<String> inTemplate = new TreeSet<>();
                Matcher m = PATH_PARAM.matcher(p.getKey());
                while (m.find()) {
                    inTemplate.add(m.group(1));
                }
                assertThat(declared).as(op.getKey() + " " + p.getKey()).isEqualTo(inTemplate);
            }
        }
    }

    /**
     * Calls every documented operation with its examples: path parameters and required query parameters from their
     * {@code example}; an operation without required query parameters also gets its first optional one that has a
     * plain example (so {@code GET /v1/{entity}} is called as a batch). Operations with a security requirement are
     * called with the admin token, and again without it (a documented 401).
     */
    @Test
    void everyDocumentedRouteAnswersWithWhatTheDocumentPromises() throws Exception {
        JsonNode doc = served();
        List<String> called = new ArrayList<>();
        for (Map.Entry<String, JsonNode> p : doc.get("paths").properties()) {
            for (Map.Entry<String, JsonNode> op : p.getValue().properties()) {
                if (!HTTP_METHODS.contains(op.getKey())) {
                    continue;
                }
                String route = op.getKey().toUpperCase(Locale.ROOT) + " " + p.getKey();
                List<JsonNode> params = parameters(doc, p.getValue(), op.getValue());
                String path = p.getKey();
                List<String> query = new ArrayList<>();
                JsonNode firstOptional = null;
                for (JsonNode param : params) {
                    String in = param.path("in").asText();
                    String name = param.get("name").asText();
                    if ("path".equals(in)) {
                        assertThat(param.has("example")).as(route + ": path parameter " + name + " has an example").isTrue();
                        path = path.replace("{" + name + "}", URLEncoder.encode(param.get("example").asText(), StandardCharsets.UTF_8));
                    } else if ("query".equals(in) && param.path("required").asBoolean()) {
                        assertThat(param.has("example")).as(route + ": required query parameter " + name + " has an example").isTrue();
                        query.add(name + "=" + URLEncoder.encode(param.get("example").asText(), StandardCharsets.UTF_8));
                    } else if ("query".equals(in) && firstOptional == null && param.path("example").isValueNode()) {
                        firstOptional = param;
                    }
                }
                if (query.isEmpty() && firstOptional != null) {
                    query.add(firstOptional.get("name").asText() + "=" + URLEncoder.encode(firstOptional.get("example").asText(), StandardCharsets.UTF_8));
                }
                String target = path + (query.isEmpty() ? "" : "?" + String.join("&", query));
                called.add(route + " -> " + target);
                String method = op.getKey().toUpperCase(Locale.ROOT);
                boolean secured = op.getValue().has("security");
                String server = onAdminPort(p.getValue()) ? adminBase : base;
                HttpResponse<String> r = call(server, method, target, secured ? ADMIN_TOKEN : null);
                String contentType = r.headers().firstValue("Content-Type").orElse("");
                if (contentType.startsWith("application/problem+json")) {
                    assertThat(ValueCodec.mapper().readTree(r.body()).path("type").asText()).as(target + ": " + r.body()).doesNotEndWith("/no-route");
                }
                assertThat(r.statusCode()).as(route + " -> " + target + ": " + r.body()).isBetween(200, 299);
                assertMatchesDocument(doc, route, op.getValue(), r);
                if (secured) {
                    HttpResponse<String> anonymous = call(server, method, target, null);
                    assertThat(anonymous.statusCode()).as(route + " without a token").isEqualTo(401);
                    assertMatchesDocument(doc, route, op.getValue(), anonymous);
                }
            }
        }
        assertThat(called).hasSameSizeAs(documentedRoutes(doc));
    }

    static HttpResponse<String> call(String server, String method, String target, String bearer) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server + target)).method(method, HttpRequest.BodyPublishers.noBody());
        if (bearer != null) {
            b.header("Authorization", "Bearer " + bearer);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The status is documented for the operation, with the content type and every header the document lists for it. */
    static void assertMatchesDocument(JsonNode doc, String route, JsonNode operation, HttpResponse<String> r) throws Exception {
        JsonNode response = deref(doc, operation.path("responses").get(String.valueOf(r.statusCode())));
        assertThat(response).as(route + " documents " + r.statusCode()).isNotNull();
        String contentType = r.headers().firstValue("Content-Type").orElse("");
        assertThat(response.path("content").fieldNames()).toIterable().as(route + " " + r.statusCode() + " content types")
                .anySatisfy(ct -> assertThat(contentType).startsWith(ct));
        response.path("headers").fieldNames().forEachRemaining(h ->
                assertThat(r.headers().firstValue(h)).as(route + " " + r.statusCode() + " header " + h).isPresent());
        if (contentType.contains("json")) {
            ValueCodec.mapper().readTree(r.body());
        }
    }

    /** The document's error responses are what the app answers: problem+json with every field of the schema. */
    @Test
    void documentedErrorsAreProblemJson() throws Exception {
        for (String target : List.of("/v1/orders/1", "/v1/products/abc", "/v1/products/999", "/v1/products?colour=red",
                "/v1/products?category=c1&page=0", "/v1/products?category=c1&per_page=101", "/v1/users/search?q=x",
                "/v1/products/search?q=" + "x".repeat(201), "/v1/products?ids=" + "1,".repeat(101) + "1")) {
            HttpResponse<String> r = get(target);
            assertThat(r.statusCode()).as(target).isIn(400, 404);
            assertThat(r.headers().firstValue("Content-Type").orElse("")).as(target).startsWith("application/problem+json");
            JsonNode p = ValueCodec.mapper().readTree(r.body());
            for (String field : List.of("type", "title", "status", "detail", "instance")) {
                assertThat(p.has(field)).as(target + " " + field).isTrue();
            }
            assertThat(p.get("status").asInt()).isEqualTo(r.statusCode());
        }
    }
}
