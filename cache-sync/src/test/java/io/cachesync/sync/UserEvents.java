package io.cachesync.sync;

import io.cachesync.core.testkit.ChangeEvents;
import io.cachesync.core.testkit.ConnectType;
import io.cachesync.sync.envelope.CommitOrderVersion;

/**
 * Change events of the demo's {@code public.users} table, made with the test kit's {@link ChangeEvents}: its rows by id
 * and name, and the update and delete most tests of cache-sync need.
 */
public final class UserEvents {
    public static final ChangeEvents USERS = ChangeEvents.table("public.users").key("id", ConnectType.INT64)
            .column("name", ConnectType.STRING).column("email", ConnectType.STRING).column("password_hash", ConnectType.STRING)
            .column("created_at", ConnectType.ZONED_TIMESTAMP);

    private UserEvents() {
    }

    public static String row(long id, String name) {
        return USERS.row(id, name, "u" + id + "@example.com", "$argon2id$secret" + id, "2026-11-26T10:15:30.123456Z");
    }

    /** An update of row {@code id} to {@code name} without {@code source.sequence}, its record at {@code lsn}. */
    public static byte[] upsert(long id, String name, long lsn) {
        return USERS.update(row(id, "old"), row(id, name)).lsn(lsn).bytes();
    }

    /** An update committed in the transaction decoded after the commit at {@code commit}, its record at {@code lsn}. */
    public static byte[] upsert(long id, String name, long commit, long lsn) {
        return USERS.update(row(id, "old"), row(id, name)).lastCommit(commit).lsn(lsn).bytes();
    }

    /** A delete of row {@code id} without {@code source.sequence}, its record at {@code lsn}. */
    public static byte[] delete(long id, long lsn) {
        return USERS.delete(row(id, "gone")).lsn(lsn).bytes();
    }

    /** The version cache-sync gives a change without {@code source.sequence}: its LSN in both halves. */
    public static String version(long lsn) {
        return CommitOrderVersion.of(lsn, lsn);
    }
}
