package io.cachesync.core.consistency;

/** How one key compares with the database. */
public enum KeyCheck {
    /** Redis holds the database's current value (or a tombstone/nothing for a row the database does not have). */
    FRESH,
    /** Redis holds a value that differs from the database's (or a tombstone for a row that exists). */
    STALE,
    /** The database has the row; Redis has nothing. */
    MISSING,
    /** Redis holds a row the database no longer has. */
    EXTRA
}
