package io.cachesync.sync.envelope;

/** Turns a record of one input topic into a mutation, or rejects it with a reason for the dead-letter topic. */
@FunctionalInterface
public interface MutationParser {
    /**
     * @param topic the topic the record came from
     * @param key   the record key (may be null)
     * @param value the record value
     */
    CacheMutation parse(String topic, byte[] key, byte[] value) throws PoisonRecordException;
}
