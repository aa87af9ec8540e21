package io.cachesync.app;

import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.NodeList;

import javax.xml.parsers.DocumentBuilderFactory;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The logging configuration the jar ships: well-formed, with the plain and json formats --log-format selects. */
class LoggingConfigTest {
    @Test
    void shippedLogbackConfigParsesAndOffersPlainAndJson() throws Exception {
        try (InputStream in = LoggingConfigTest.class.getResourceAsStream("/logback.xml")) {
            assertThat(in).as("logback.xml on the classpath").isNotNull();
            Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(in);
            NodeList appenders = doc.getElementsByTagName("appender");
            List<String> names = new ArrayList<>();
            for (int i = 0; i < appenders.getLength(); i++) {
                names.add(appenders.item(i).getAttributes().getNamedItem("name").getNodeValue());
            }
            assertThat(names).containsExactlyInAnyOrder("plain", "json");
            assertThat(doc.getElementsByTagName("appender-ref").item(0).getAttributes().getNamedItem("ref").getNodeValue())
                    .isEqualTo("${CACHESYNC_LOG_FORMAT:-plain}");
        }
    }
}
