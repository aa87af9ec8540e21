package io.cachesync.api.http;

import io.javalin.http.Context;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.zip.CRC32;

/** {@code ETag} / {@code If-None-Match} → 304, and {@code Cache-Control: max-age}. */
final class HttpCaching {
    private HttpCaching() {
    }

    /** A row's ETag: its cached version (0 for a fill) and a checksum of its document (fills all share version 0). */
    static String rowTag(String version, String document) {
        return "\"" + (version == null ? "0" : version) + "-" + crc(document) + "\"";
    }

    static String pageTag(String body) {
        return "\"p-" + crc(body) + "\"";
    }

    private static String crc(String s) {
        CRC32 c = new CRC32();
        c.update(s.getBytes(StandardCharsets.UTF_8));
        return Long.toHexString(c.getValue());
    }

    /** Sets the caching headers; answers 304 (and returns true) when the client already has this representation. */
    static boolean notModified(Context ctx, String etag, Duration maxAge) {
        ctx.header("ETag", etag);
        ctx.header("Cache-Control", maxAge.isZero() ? "no-cache" : "max-age=" + maxAge.toSeconds());
        String inm = ctx.header("If-None-Match");
        if (inm == null) {
            return false;
        }
        for (String t : inm.split(",")) {
            String tag = t.trim();
            if (tag.startsWith("W/")) {
                tag = tag.substring(2);
            }
            if (tag.equals("*") || tag.equals(etag)) {
                ctx.status(304);
                return true;
            }
        }
        return false;
    }
}
