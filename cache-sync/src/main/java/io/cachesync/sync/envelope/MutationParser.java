package io.cachesync.sync.envelope;

/** Turns a record of one input topic into a mutation, or rejects it with a reason for the dead-letter topic. */
@FunctionalInterface
public interface MutationParser {
    /**
     * @param topic       the topic the record came from
     * @param key         the record key (may be null)
     * @param value       the record value
     * @param sourceEpoch the source epoch of a CDC record (its {@code cachesync.source-epoch} header; 0 without one)
     */
    CacheMutation parse(String topic, byte[] key, byte[] value, int sourceEpoch) throws PoisonRecordException;

    /** As {@link #parse(String, byte[], byte[], int)} for a record without a source epoch header. */
    default CacheMutation parse(String topic, byte[] key, byte[] value) throws PoisonRecordException {
        return parse(topic, key, value, 0);
    }
}
