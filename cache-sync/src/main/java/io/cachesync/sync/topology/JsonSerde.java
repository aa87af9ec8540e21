package io.cachesync.sync.topology;

import com.fasterxml.jackson.databind.JsonNode;
import io.cachesync.core.codec.ValueCodec;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;

import java.io.IOException;

/** JSON trees as the view topology's values (its stores, changelogs and repartition topics), read back exactly (decimals as written). */
public final class JsonSerde extends Serdes.WrapperSerde<JsonNode> {
    static final Serde<JsonNode> JSON = new JsonSerde();

    /** Kafka Streams makes one by reflection when it is the default value serde. */
    public JsonSerde() {
        super(writer(), reader());
    }

    private static Serializer<JsonNode> writer() {
        return (topic, node) -> {
            if (node == null) {
                return null;
            }
            try {
                return ValueCodec.mapper().writeValueAsBytes(node);
            } catch (IOException e) {
                throw new SerializationException("a view value could not be written as JSON", e);
            }
        };
    }

    private static Deserializer<JsonNode> reader() {
        return (topic, bytes) -> {
            if (bytes == null) {
                return null;
            }
            try {
                return ValueCodec.documentMapper().readTree(bytes);
            } catch (IOException e) {
                throw new SerializationException("a view value of " + topic + " is not JSON", e);
            }
        };
    }
}
