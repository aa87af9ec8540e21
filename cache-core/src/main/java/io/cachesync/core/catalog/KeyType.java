package io.cachesync.core.catalog;

import java.util.Locale;
import java.util.Optional;
import java.util.UUID;

/** The type of an entity's primary-key column, which decides what a well-formed id is and how it is written in keys. */
public enum KeyType {
    BIGINT {
        @Override
        public Optional<String> canonical(String raw) {
            if (raw == null || raw.isEmpty() || raw.length() > 20) {
                return Optional.empty();
            }
            try {
                return Optional.of(Long.toString(Long.parseLong(raw)));
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
        }

        @Override
        public Object jdbcValue(String canonical) {
            return Long.parseLong(canonical);
        }
    },
    TEXT {
        @Override
        public Optional<String> canonical(String raw) {
            if (raw == null || raw.isEmpty() || raw.length() > 512 || raw.chars().anyMatch(Character::isISOControl)) {
                return Optional.empty();
            }
            return Optional.of(raw);
        }

        @Override
        public Object jdbcValue(String canonical) {
            return canonical;
        }
    },
    UUID_TYPE {
        @Override
        public Optional<String> canonical(String raw) {
            if (raw == null || raw.length() != 36) {
                return Optional.empty();
            }
            try {
                return Optional.of(UUID.fromString(raw).toString());
            } catch (IllegalArgumentException e) {
                return Optional.empty();
            }
        }

        @Override
        public Object jdbcValue(String canonical) {
            return UUID.fromString(canonical);
        }
    };

    /** The canonical form of an id as it appears in cache keys, or empty when the id is malformed. */
    public abstract Optional<String> canonical(String raw);

    /** The id as a JDBC parameter. */
    public abstract Object jdbcValue(String canonical);

    /** The name {@code key-type} gives this type: {@code bigint}, {@code text} or {@code uuid}. */
    public String configName() {
        return this == UUID_TYPE ? "uuid" : name().toLowerCase(Locale.ROOT);
    }

    /** The PostgreSQL element type of an array of these ids ({@code = ANY(?)}, {@code unnest(?)}). */
    public String arrayType() {
        return switch (this) {
            case BIGINT -> "int8";
            case TEXT -> "text";
            case UUID_TYPE -> "uuid";
        };
    }

    /**
     * The key type of a primary-key column of PostgreSQL type {@code typname} (a domain already resolved to its base
     * type), or empty when cachesync cannot key rows by it. {@code char(n)} is refused: PostgreSQL pads it and compares it
     * without the padding, so one row would have two ids.
     */
    public static Optional<KeyType> ofPostgres(String typname) {
        return switch (typname) {
            case "int2", "int4", "int8" -> Optional.of(BIGINT);
            case "text", "varchar" -> Optional.of(TEXT);
            case "uuid" -> Optional.of(UUID_TYPE);
            default -> Optional.empty();
        };
    }

    public String describe() {
        return switch (this) {
            case BIGINT -> "a 64-bit integer";
            case TEXT -> "a non-empty string of at most 512 characters";
            case UUID_TYPE -> "a UUID";
        };
    }

    public static KeyType parse(String s) {
        return switch (s.trim().toLowerCase(Locale.ROOT)) {
            case "bigint", "int8", "integer", "int", "int4", "smallint", "long" -> BIGINT;
            case "text", "varchar", "string" -> TEXT;
            case "uuid" -> UUID_TYPE;
            default -> throw new IllegalArgumentException(s);
        };
    }
}
