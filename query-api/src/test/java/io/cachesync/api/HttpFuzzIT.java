package io.cachesync.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.cachesync.core.codec.ValueCodec;
import io.javalin.Javalin;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.jqwik.api.statistics.Statistics;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Random paths, query strings and headers against the real app (on a real redis-server and PostgreSQL): nothing a
 * client sends may produce a 5xx, and every 4xx is {@code application/problem+json} — whether our routes or Jetty
 * (a request line or an encoding it cannot parse, an over-long URI or header) rejected it. Requests {@link URI} and
 * {@link HttpClient} accept go through HttpClient; the rest (malformed percent-encodings, control characters, targets
 * not starting with '/', header values HttpClient refuses) are written as-is to a plain socket.
 *
 * <p>Raw whitespace is never put in a target: it is request-line framing, and a line it leaves without an HTTP version
 * is an HTTP/0.9 request, which Jetty answers 505 before anything of ours runs.
 */
class HttpFuzzIT {
    private static final List<String> PREFIXES = List.of("/v1/", "/v1/products/", "/v1/users/", "/v1/products", "/v1/users",
            "/v1/products/search", "/v1/users/search", "/health/", "/health/live", "/health/ready", "/openapi.json", "/metrics",
            "/admin/", "/admin/cache", "/admin/cache/", "/admin/cache/stats", "/admin/cache/keys", "/admin/cache/products/",
            "/admin/resync/", "/", "");

    static ApiTestStack stack;
    static int port;
    static final String ADMIN_TOKEN = "fuzz-admin-token";
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

    /** One request as a client could send it; {@code target} is the raw request target (path and query). */
    record Req(String method, String target, List<Map.Entry<String, String>> headers) {
        @Override
        public String toString() {
            String t = target.length() > 300 ? target.substring(0, 300) + "...(" + target.length() + " chars)" : target;
            return method + " " + t + " " + headers;
        }
    }

    /** What came back, and whether it went over the raw socket. */
    record Answer(int status, String contentType, String body, boolean raw) {
    }

    @BeforeContainer
    static void start() throws Exception {
        stack = ApiTestStack.start("query-api-fuzz-it", 50, ADMIN_TOKEN);
        port = stack.port();
    }

    @AfterContainer
    static void stop() {
        if (stack != null) {
            stack.close();
        }
    }

    @Property(tries = 4000, shrinking = ShrinkingMode.BOUNDED)
    void noRequestGetsA5xxAndEveryClientErrorIsAProblem(@ForAll("requests") Req req) throws Exception {
        Answer a = send(req);
        Statistics.label("status").collect(a.status());
        Statistics.label("transport").collect(a.raw() ? "socket" : "HttpClient");
        check(req, a);
    }

    // Inputs that once broke the app (a 5xx, an HTML error page, a dropped connection), kept as examples.

    /** Jetty let %uXXXX through; Javalin's path-parameter decoding threw on it: a 500. */
    @Example
    void utf16PercentEncodingInThePathIsABadRequest() throws Exception {
        for (String target : List.of("/v1/%u0041/0", "/v1/products/%u0031", "/v1/products/search%u0041?q=x")) {
            Req req = new Req("GET", target, List.of());
            Answer a = send(req);
            assertThat(a.status()).as(target).isEqualTo(400);
            check(req, a);
        }
    }

    /** PostgreSQL rejects a NUL in a text parameter: a 503 "database unavailable". */

    @Example
    void nulInSearchTextIsABadRequest() throws Exception {
        check400(get("/v1/products/search?q=%00"));
    }

    /** Same for a list value. */
    @Example
    void nulInListValueIsABadRequest() throws Exception {
        check400(get("/v1/products?category=a%00b"));
    }

    /** Javalin decodes a malformed query value as empty: a 400 (if not the clearest detail). */
    @Example
    void malformedQueryEncodingIsABadRequest() throws Exception {
        check400(get("/v1/products?category=%ZZ"));
        check400(get("/v1/products/search?q=%"));
        check400(get("/v1/products?ids=1%2"));
    }

    /** Jetty rejects it before routing, with its HTML error page. */
    @Example
    void malformedPathEncodingIsAProblem() throws Exception {
        Answer a = send(new Req("GET", "/v1/products/%ZZ", List.of()));
        assertThat(a.status()).isEqualTo(400);
        check(new Req("GET", "/v1/products/%ZZ", List.of()), a);
    }

    /** A request line Jetty cannot parse: its HTML error page too. */
    @Example
    void spaceInTheRequestTargetIsABadRequest() throws Exception {
        Req req = new Req("GET", "/v1/products/ 1", List.of());
        Answer a = send(req);
        assertThat(a.raw()).isTrue();
        assertThat(a.status()).isEqualTo(400);
        check(req, a);
    }

    /** Jetty closed the connection after this one without a {@code Connection: close}; a pooled client's next request failed. */
    @Example
    void connectionClosedAfterARejectedRequestIsAnnounced() throws Exception {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(("PATCH /v1/Z%00a?ids=1 HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            String response = new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            assertThat(response).startsWith("HTTP/1.1 400 ").containsIgnoringCase("\r\nConnection: close\r\n")
                    .contains("application/problem+json");
        }
        for (int i = 0; i < 20; i++) {
            assertThat(get("/v1/Z%00Z").status()).isEqualTo(400);
            Answer next = send(new Req("PATCH", "/v1/products/1", List.of()));
            assertThat(next.status()).isEqualTo(404);
        }
    }

    /** Jetty's own limits, before routing. */
    @Example
    void overLongUriAndHeadersAreProblemsToo() throws Exception {
        Answer uri = get("/v1/products/" + "1".repeat(20_000));
        assertThat(uri.status()).isEqualTo(414);
        check(new Req("GET", "/v1/products/1...", List.of()), uri);
        Req big = new Req("GET", "/v1/products/1", List.of(Map.entry("X-Junk", "x".repeat(20_000))));
        Answer headers = send(big);
        assertThat(headers.status()).isEqualTo(431);
        check(big, headers);
    }

    private static Answer get(String target) throws Exception {
        return send(new Req("GET", target, List.of()));
    }

    private static void check400(Answer a) throws Exception {
        assertThat(a.status()).as(a.body()).isEqualTo(400);
        assertThat(a.contentType()).startsWith("application/problem+json");
        assertThat(ValueCodec.mapper().readTree(a.body()).get("status").asInt()).isEqualTo(400);
    }

    private static void check(Req req, Answer a) throws Exception {
        assertThat(a.status()).as("%s answered %s: %s", req, a.status(), a.body()).isBetween(100, 499);
        if (a.status() >= 400) {
            assertThat(a.contentType()).as("%s answered %s as %s: %s", req, a.status(), a.contentType(), a.body())
                    .startsWith("application/problem+json");
            if (!req.method().equals("HEAD")) {
                JsonNode p = ValueCodec.mapper().readTree(a.body());
                assertThat(p.path("status").asInt()).as("%s: %s", req, a.body()).isEqualTo(a.status());
                assertThat(p.path("type").asText()).startsWith("https://cachesync.io/problems/");
            }
        }
    }

    // ---- sending ----

    static Answer send(Req req) throws Exception {
        if (!req.target().startsWith("/") || !StandardCharsets.UTF_8.newEncoder().canEncode(req.target())) {
            return raw(req); // not origin-form, or a lone surrogate HttpClient cannot encode (the socket writes '?')
        }
        URI uri;
        try {
            uri = new URI("http://127.0.0.1:" + port + req.target());
        } catch (URISyntaxException e) {
            return raw(req);
        }
        HttpRequest.Builder b;
        try {
            b = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).method(req.method(), HttpRequest.BodyPublishers.noBody());
            for (Map.Entry<String, String> h : req.headers()) {
                b.header(h.getKey(), h.getValue());
            }
        } catch (IllegalArgumentException e) {
            return raw(req);
        }
        HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        return new Answer(r.statusCode(), r.headers().firstValue("Content-Type").orElse(""), r.body(), false);
    }

    /** Writes the request as-is to a socket (UTF-8 request line) and reads the response until the server closes. */
    static Answer raw(Req req) throws IOException {
        // an empty target would leave "GET  HTTP/1.1", which Jetty reads as a version-less (HTTP/0.9) request
        StringBuilder head = new StringBuilder(req.method()).append(' ').append(req.target().isEmpty() ? "/" : req.target())
                .append(" HTTP/1.1\r\nHost: 127.0.0.1:").append(port).append("\r\nConnection: close\r\n");
        for (Map.Entry<String, String> h : req.headers()) {
            head.append(h.getKey()).append(": ").append(h.getValue()).append("\r\n");
        }
        head.append("\r\n");
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(head.toString().getBytes(StandardCharsets.UTF_8));
            out.flush();
            InputStream in = s.getInputStream();
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            in.transferTo(all);
            String text = all.toString(StandardCharsets.ISO_8859_1);
            int end = text.indexOf("\r\n\r\n");
            assertThat(end).as("%s: a complete response head, got %s", req, text).isPositive();
            String[] lines = text.substring(0, end).split("\r\n");
            assertThat(lines[0]).as("%s: status line", req).startsWith("HTTP/1.1 ");
            int status = Integer.parseInt(lines[0].substring(9, 12));
            String contentType = "";
            boolean chunked = false;
            for (String line : lines) {
                String lower = line.toLowerCase(Locale.ROOT);
                if (lower.startsWith("content-type:")) {
                    contentType = line.substring(13).trim();
                } else if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
                    chunked = true;
                }
            }
            byte[] body = all.toByteArray();
            byte[] rest = Arrays.copyOfRange(body, end + 4, body.length);
            return new Answer(status, contentType, new String(chunked ? dechunk(rest) : rest, StandardCharsets.UTF_8), true);
        }
    }

    private static byte[] dechunk(byte[] b) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int i = 0;
        while (i < b.length) {
            int eol = i;
            while (eol + 1 < b.length && !(b[eol] == '\r' && b[eol + 1] == '\n')) {
                eol++;
            }
            String sizeLine = new String(b, i, eol - i, StandardCharsets.ISO_8859_1);
            int semi = sizeLine.indexOf(';');
            int size = Integer.parseInt((semi < 0 ? sizeLine : sizeLine.substring(0, semi)).trim(), 16);
            if (size == 0) {
                break;
            }
            out.write(b, eol + 2, size);
            i = eol + 2 + size + 2;
        }
        return out.toByteArray();
    }

    // ---- generators ----

    @Provide
    Arbitrary<Req> requests() {
        Arbitrary<String> method = Arbitraries.frequencyOf(
                Tuple.of(20, Arbitraries.just("GET")),
                Tuple.of(2, Arbitraries.of("HEAD", "POST", "DELETE", "OPTIONS", "PUT", "PATCH")));
        Arbitrary<String> target = Arbitraries.frequencyOf(Tuple.of(2, wildTarget()), Tuple.of(2, routeShapedTarget()),
                        Tuple.of(1, wellFormedTarget()))
                // raw whitespace is request-line framing, never part of a target: it would split the request line (see
                // spaceInTheRequestTargetIsABadRequest) or end it early, making it a version-less HTTP/0.9 request
                .map(t -> t.replace(" ", "%20").replace("\t", "%09").replace("\r", "%0D").replace("\n", "%0A"));
        // mostly the method the route takes (GET, or POST/DELETE for the admin routes), sometimes another
        return Combinators.combine(Arbitraries.integers().between(0, 3), method, target, header().list().ofMaxSize(4))
                .as((natural, m, t, h) -> new Req(natural > 0 ? naturalMethod(t) : m, t, h));
    }

    private static String naturalMethod(String target) {
        if (target.startsWith("/admin/resync/")) {
            return "POST";
        }
        if (target.startsWith("/admin/cache?") || target.startsWith("/admin/cache/products/") || target.startsWith("/admin/cache/users/")) {
            return "DELETE";
        }
        return "GET";
    }

    /** A known prefix, then anything: random segments (double slashes too) and maybe a query. */
    private static Arbitrary<String> wildTarget() {
        return Combinators.combine(Arbitraries.of(PREFIXES), segment().list().ofMaxSize(4), Arbitraries.of("/", "/", "/", "//"),
                        Arbitraries.integers().between(0, 3), query())
                .as((prefix, segs, slash, q, qs) -> prefix + String.join(slash, segs) + (q == 0 ? "" : "?" + qs));
    }

    /** The shape of a real route (mostly a configured entity) with random ids and parameters. */
    private static Arbitrary<String> routeShapedTarget() {
        Arbitrary<String> entity = Arbitraries.frequencyOf(Tuple.of(6, Arbitraries.of("products", "users")), Tuple.of(1, segment()));
        Arbitrary<String> id = Arbitraries.frequencyOf(Tuple.of(3, Arbitraries.integers().between(-5, 60).map(String::valueOf)),
                Tuple.of(2, segment()), Tuple.of(1, value()));
        return Arbitraries.oneOf(
                Combinators.combine(entity, id).as((e, i) -> "/v1/" + e + "/" + i),
                Combinators.combine(entity, query()).as((e, q) -> "/v1/" + e + "?" + q),
                Combinators.combine(entity, query()).as((e, q) -> "/v1/" + e + "/search?" + q),
                Combinators.combine(Arbitraries.of("/health/live", "/health/ready", "/openapi.json", "/metrics", "/admin/cache/stats",
                        "/admin/cache/keys", "/admin/cache"), query()).as((p, q) -> p + "?" + q),
                Combinators.combine(Arbitraries.of("/admin/cache/", "/admin/resync/"), entity, id).as((p, e, i) -> p + e + "/" + i),
                Combinators.combine(entity, query()).as((e, q) -> "/admin/resync/" + e + "?" + q));
    }

    /** A real route with the parameters it takes, each with a random (mostly percent-encoded) value. */
    private static Arbitrary<String> wellFormedTarget() {
        Arbitrary<String> v = Arbitraries.frequencyOf(Tuple.of(3, value().map(x -> URLEncoder.encode(x, StandardCharsets.UTF_8))),
                Tuple.of(1, value()));
        Arbitrary<String> entity = Arbitraries.of("products", "users");
        return Arbitraries.oneOf(
                Combinators.combine(entity, v).as((e, id) -> "/v1/" + e + "/" + id),
                Combinators.combine(entity, v).as((e, ids) -> "/v1/" + e + "?ids=" + ids),
                Combinators.combine(v, v, v).as((c, p, n) -> "/v1/products?category=" + c + "&page=" + p + "&per_page=" + n),
                Combinators.combine(v, v, v).as((q, p, n) -> "/v1/products/search?q=" + q + "&page=" + p + "&per_page=" + n),
                Combinators.combine(Arbitraries.of("cs:", "cs:products:", "cs:*:", ""), v, v)
                        .as((prefix, pattern, limit) -> "/admin/cache/keys?pattern=" + prefix + pattern + "&limit=" + limit),
                Combinators.combine(Arbitraries.of("cs:", "cs:users:", ""), v).as((prefix, pattern) -> "/admin/cache?pattern=" + prefix + pattern),
                Combinators.combine(entity, v).as((e, id) -> "/admin/cache/" + e + "/" + id),
                v.map(e -> "/admin/resync/" + e));
    }

    private static Arbitrary<String> query() {
        return Combinators.combine(queryParam().list().ofMinSize(1).ofMaxSize(4), Arbitraries.frequencyOf(
                Tuple.of(8, Arbitraries.just("&")), Tuple.of(1, Arbitraries.of("&&", ";")))).as((ps, sep) -> String.join(sep, ps));
    }

    private static Arbitrary<String> segment() {
        return Arbitraries.frequencyOf(
                Tuple.of(4, Arbitraries.of("products", "users", "search", "orders", "live", "ready", "v1", "openapi.json", "..", ".",
                        "", "1", "0", "-1", "42", "99999", "9223372036854775807", "9223372036854775808", "1.5", "1e3", "+1", " 1")),
                Tuple.of(2, Arbitraries.longs().map(String::valueOf)),
                Tuple.of(2, Arbitraries.strings().alpha().numeric().withChars("-_.~").ofMaxLength(20)),
                Tuple.of(2, unicode(40)),
                Tuple.of(2, unicode(40).map(s -> URLEncoder.encode(s, StandardCharsets.UTF_8))),
                Tuple.of(2, percent()),
                Tuple.of(1, Combinators.combine(Arbitraries.strings().alpha().ofMaxLength(5), percent(),
                        Arbitraries.strings().alpha().ofMaxLength(5)).as((a, p, b) -> a + p + b)),
                Tuple.of(1, Arbitraries.strings().withChars("a1%.-").ofMinLength(500).ofMaxLength(3000)),
                Tuple.of(1, Arbitraries.strings().ascii().ofMaxLength(30)));
    }

    private static Arbitrary<String> percent() {
        return Arbitraries.oneOf(
                Arbitraries.of("%ZZ", "%", "%0", "%00", "%2F", "%2f", "%2e", "%2E%2E", "%5C", "%3B", "%3F", "%23", "%25", "%C3%28",
                        "%FF", "%E2%82", "%ED%A0%80", "%F0%9F%98%80", "%C0%AF", "%0A", "%0D%0A", "%7F", "%20", "+", "%u0041", "%%", "%G1"),
                Arbitraries.integers().between(0, 255).map(i -> String.format("%%%02X", i)));
    }

    private static Arbitrary<String> unicode(int max) {
        return Arbitraries.oneOf(
                Arbitraries.strings().all().ofMaxLength(max),
                Arbitraries.strings().withCharRange('\u0080', '\u07ff').withCharRange('\u4e00', '\u4eff').withChars("é😀\u202e\ufeff")
                        .ofMinLength(1).ofMaxLength(max));
    }

    private static Arbitrary<String> value() {
        Arbitrary<String> plausible = Arbitraries.of("1", "2", "20", "c0", "c1", "product", "1,2,3", "user", "*", "products", "cs:*",
                "cs:products:[", "cs:\\", "cs:products:1");
        Arbitrary<String> hostile = Arbitraries.oneOf(
                Arbitraries.of("", "1", "0", "-1", "2", "20", "100", "101", "1000", "1001", "10000", "10001", "2147483647",
                        "2147483648", "-2147483649", "99999999999999999999", "abc", " 5 ", "1.0", "0x10", "c0", "c1", "c2",
                        "product", "product 1", "%", "_", "\\", "'", "\"", "1,2,3", ",", ",,,", "1,,2", "1,abc", "%00", "a%00b"),
                Arbitraries.integers().map(String::valueOf),
                Arbitraries.integers().between(1, 120).map(n -> String.join(",", Collections.nCopies(n, "7"))),
                unicode(30),
                unicode(30).map(s -> URLEncoder.encode(s, StandardCharsets.UTF_8)),
                percent(),
                Arbitraries.strings().alpha().ofMinLength(150).ofMaxLength(3000));
        return Arbitraries.frequencyOf(Tuple.of(1, plausible), Tuple.of(1, hostile));
    }

    private static Arbitrary<String> queryParam() {
        Arbitrary<String> name = Arbitraries.frequencyOf(
                Tuple.of(8, Arbitraries.of("ids", "page", "per_page", "category", "q")),
                Tuple.of(1, Arbitraries.of("name", "id", "price", "password_hash", "IDS", "ids[]", "")),
                Tuple.of(1, Arbitraries.oneOf(Arbitraries.strings().alpha().ofMaxLength(8), percent(), unicode(8))));
        return Arbitraries.frequencyOf(
                Tuple.of(10, Combinators.combine(name, value()).as((n, v) -> n + "=" + v)),
                Tuple.of(1, name),
                Tuple.of(1, Arbitraries.of("=", "==", "=1", "ids=1=2", "q=%", "q=%ZZ", "category=%00")));
    }

    private static Arbitrary<Map.Entry<String, String>> header() {
        Arbitrary<String> tag = Arbitraries.oneOf(
                Arbitraries.of("*", "\"\"", "W/\"x\"", "\"p-0\"", "\"0-0\"", "W/*", ",", "\"a\", \"b\"", "W/"),
                Arbitraries.strings().alpha().numeric().withChars("-").ofMaxLength(20).map(s -> "\"" + s + "\""),
                Arbitraries.strings().ascii().ofMaxLength(40),
                unicode(20));
        Arbitrary<String> accept = Arbitraries.oneOf(
                Arbitraries.of("*/*", "application/json", "application/problem+json", "text/html", "application/xml;q=0.9",
                        "", ";;;", "*/*;q=abc"),
                Arbitraries.strings().ascii().ofMaxLength(40));
        Arbitrary<String> junk = Arbitraries.oneOf(Arbitraries.strings().ascii().ofMaxLength(60), unicode(30),
                Arbitraries.strings().alpha().ofMinLength(100).ofMaxLength(10_000));
        Arbitrary<String> authorization = Arbitraries.frequencyOf(
                Tuple.of(6, Arbitraries.just("Bearer " + ADMIN_TOKEN)),
                Tuple.of(1, Arbitraries.of("Bearer", "Bearer ", "bearer " + ADMIN_TOKEN, "Basic Zm9vOmJhcg==", "Bearer " + ADMIN_TOKEN + "x",
                        "Bearer  " + ADMIN_TOKEN + " ")),
                Tuple.of(1, Arbitraries.strings().ascii().ofMaxLength(40).map(x -> "Bearer " + x)));
        return Arbitraries.oneOf(
                authorization.map(v -> Map.entry("Authorization", clean(v))),
                tag.map(v -> Map.entry("If-None-Match", clean(v))),
                accept.map(v -> Map.entry("Accept", clean(v))),
                Combinators.combine(Arbitraries.of("X-Junk", "X-Forwarded-For", "Accept-Encoding", "Accept-Language", "Cookie",
                        "Range", "If-Modified-Since", "Origin", "X-Cache", "Content-Type"), junk).as((n, v) -> Map.entry(n, clean(v))));
    }

    /** A header value on one line: CR and LF would end the header (or the head) early. */
    private static String clean(String v) {
        return v.replace('\r', ' ').replace('\n', ' ');
    }
}
