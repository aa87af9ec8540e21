package io.cachesync.core.codec;

import java.math.BigDecimal;

/**
 * PostgreSQL {@code interval} text (the default {@code IntervalStyle postgres}: {@code 1 year 2 mons -3 days 04:05:06.5})
 * as the ISO 8601 duration Debezium writes with {@code interval.handling.mode=string}:
 * {@code P<years>Y<months>M<days>DT<hours>H<minutes>M<seconds>S}, every field present and signed as PostgreSQL keeps it
 * ({@code P1Y2M-3DT4H5M6.5S}), seconds without trailing zeros.
 */
final class Intervals {
    private Intervals() {
    }

    /** @throws IllegalArgumentException when {@code text} is not an interval in the {@code postgres} style */
    static String isoText(String text) {
        long years = 0;
        long months = 0;
        long days = 0;
        long hours = 0;
        long minutes = 0;
        BigDecimal seconds = BigDecimal.ZERO;
        String[] tokens = text.trim().split("\\s+");
        for (int i = 0; i < tokens.length; i++) {
            String token = tokens[i];
            if (token.indexOf(':') >= 0) {
                boolean negative = token.startsWith("-");
                String[] hms = token.replaceFirst("^[+-]", "").split(":");
                if (hms.length != 3) {
                    throw new IllegalArgumentException("not an interval in the postgres style: " + text);
                }
                int sign = negative ? -1 : 1;
                hours = sign * Long.parseLong(hms[0]);
                minutes = sign * Long.parseLong(hms[1]);
                seconds = new BigDecimal(hms[2]).multiply(BigDecimal.valueOf(sign));
            } else if (i + 1 < tokens.length) {
                long amount = Long.parseLong(token);
                String unit = tokens[++i];
                if (unit.startsWith("year")) {
                    years = amount;
                } else if (unit.startsWith("mon")) {
                    months = amount;
                } else if (unit.startsWith("day")) {
                    days = amount;
                } else {
                    throw new IllegalArgumentException("not an interval in the postgres style: " + text);
                }
            } else {
                throw new IllegalArgumentException("not an interval in the postgres style: " + text);
            }
        }
        return "P" + years + "Y" + months + "M" + days + "DT" + hours + "H" + minutes + "M"
                + seconds.stripTrailingZeros().toPlainString() + "S";
    }
}
