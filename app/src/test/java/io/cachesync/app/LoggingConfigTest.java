package io.cachesync.app;

import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.NodeList;

import javax.xml.parsers.DocumentBuilderFactory;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The logging configurations the jar ships: well-formed, one per format (the log-format option picks one). */
class LoggingConfigTest {
    static Document parse(String resource) throws Exception {
        try (InputStream in = LoggingConfigTest.class.getResourceAsStream(resource)) {
            assertThat(in).as(resource + " on the classpath").isNotNull();
            return DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(in);
        }
    }

    static List<String> attributes(Document doc, String tag, String attribute) {
        NodeList nodes = doc.getElementsByTagName(tag);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < nodes.getLength(); i++) {
            out.add(nodes.item(i).getAttributes().getNamedItem(attribute).getNodeValue());
        }
        return out;
    }

    @Test
    void plainAndJsonConfigsParseAndShareTheLevels() throws Exception {
        Document plain = parse("/logback.xml");
        Document json = parse("/logback-json.xml");
        assertThat(attributes(plain, "appender-ref", "ref")).containsExactly("plain");
        assertThat(attributes(json, "appender-ref", "ref")).containsExactly("json");
        assertThat(attributes(json, "encoder", "class")).containsExactly("ch.qos.logback.classic.encoder.JsonEncoder");
        assertThat(attributes(plain, "include", "resource")).containsExactly("logback-levels.xml");
        assertThat(attributes(json, "include", "resource")).containsExactly("logback-levels.xml");
        assertThat(attributes(parse("/logback-levels.xml"), "logger", "name")).contains("io.cachesync", "org.apache.kafka");
    }
}
