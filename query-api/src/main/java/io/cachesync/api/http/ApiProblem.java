package io.cachesync.api.http;

import java.time.Duration;
import java.util.List;

/**
 * An HTTP error answered as RFC 9457 {@code application/problem+json}; thrown by handlers, rendered in one place
 * ({@link ProblemRenderer}).
 */
public class ApiProblem extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int status;
    private final String type;
    private final String title;

    public ApiProblem(int status, String type, String title, String detail) {
        super(detail);
        this.status = status;
        this.type = type;
        this.title = title;
    }

    public static ApiProblem unknownEntity(String entity) {
        return new ApiProblem(404, "unknown-entity", "Unknown entity", "no entity named '" + entity + "' is configured");
    }

    public static ApiProblem malformedId(String entity, String id, String expected) {
        return new ApiProblem(400, "malformed-id", "Malformed id", "id '" + id + "' of " + entity + " is not " + expected);
    }

    public static ApiProblem notFound(String entity, String id) {
        return new ApiProblem(404, "not-found", "Not found", entity + " " + id + " does not exist");
    }

    /** A resync of a view: its documents are kept from its parts' changes, so the parts are what is re-read. */
    public static ApiProblem viewResync(String view, String root, List<String> parts) {
        List<String> others = parts.stream().filter(p -> !p.equals(root)).toList();
        return new ApiProblem(400, "view-resync", "A view is not resynced", view + " is a view: a view is kept from its parts: resync its root"
                + " entity " + root + " (POST /admin/resync/" + root + ")" + (others.isEmpty() ? ""
                : ", or the part whose rows should be re-read (" + String.join(", ", others) + ")"));
    }

    public static ApiProblem unavailable(String detail) {
        return new ApiProblem(503, "unavailable", "Service unavailable", detail);
    }

    /** PostgreSQL cancelled the request's query after {@code api.statement-timeout}; its connection is free again. */
    public static ApiProblem queryTimeout(Duration timeout) {
        return new ApiProblem(503, "query-timeout", "Query took too long", "the database query took longer than "
                + timeout.toMillis() + " ms (api.statement-timeout) and was cancelled; narrow the filter or search, or retry later");
    }

    /** {@code page × per_page} reaches deeper than {@code api.max-page-depth} rows. */
    public static ApiProblem pageTooDeep(int page, int perPage, int maxDepth) {
        long depth = (long) page * perPage;
        return new ApiProblem(400, "page-too-deep", "Page too deep", "page " + page + " of " + perPage + " rows ends at row " + depth
                + ", deeper than the " + maxDepth + " rows a list or search may be paged to (api.max-page-depth; the last page of "
                + perPage + " rows is " + Math.max(1, maxDepth / perPage) + "): narrow the filter or the search instead of paging further");
    }

    public int status() {
        return status;
    }

    public String type() {
        return type;
    }

    public String title() {
        return title;
    }
}
