package io.cachesync.sync.topology;

import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProductionExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;

/**
 * What cache-sync does when Kafka refuses a record it produced. The only records it produces are dead letters; one the
 * broker refuses as too large (a dead-letter topic created by hand with a smaller {@code max.message.bytes}) is
 * logged with where its original is and skipped — failing would replace the stream thread, which would read the same
 * record and fail again, forever, stopping its partition. Every other error fails as usual (the record is read again).
 */
public final class DeadLetterProductionHandler implements ProductionExceptionHandler {
    private static final Logger LOG = LoggerFactory.getLogger(DeadLetterProductionHandler.class);
    /** The Kafka Streams setting that names the dead-letter topic to this handler. */
    public static final String DLQ_TOPIC_CONFIG = "cachesync.dlq.topic";

    private String dlq;

    @Override
    public Response handleError(ErrorHandlerContext context, ProducerRecord<byte[], byte[]> record, Exception exception) {
        if (record.topic().equals(dlq) && exception instanceof RecordTooLargeException) {
            LOG.error("the broker refused a dead letter as too large ({}); the original is {}-{}@{}; going on without it",
                    exception.getMessage(), context.topic(), context.partition(), context.offset());
            return Response.resume();
        }
        return Response.fail();
    }

    @Override
    public void configure(Map<String, ?> configs) {
        Object topic = configs.get(DLQ_TOPIC_CONFIG);
        if (topic == null) {
            throw new IllegalArgumentException(DLQ_TOPIC_CONFIG + " is not set");
        }
        dlq = topic.toString();
    }
}
