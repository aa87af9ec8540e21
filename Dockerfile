# syntax=docker/dockerfile:1
# The cachesync image: one jar (the service jar: ingest, sync, api, verify, warm; no demo, bench or devstack, so no
# PostgreSQL, Kafka broker or redis-server binaries), three services. The command picks the service:
#   docker run cachesync:dev api    --config /config/cachesync.yaml    (query-api,  port 8080; admin and metrics 8081)
#   docker run cachesync:dev sync   --config /config/cachesync.yaml    (cache-sync, port 9401: /metrics, /health/*)
#   docker run cachesync:dev ingest --config /config/cachesync.yaml    (cdc-ingest, port 9402: /metrics, /health/*)
# Build: docker build -t cachesync:dev .   (docker compose build does the same)

# ---- build: the shaded service jar app/target/cachesync.jar ---------------------------------------------------
FROM eclipse-temurin:17-jdk AS build
WORKDIR /src
# sources only (.dockerignore keeps target/, .git and the deployment files out); ~/.m2 is a build cache mount
COPY . .
# -pl app -am: the service jar and the modules it needs (not devstack, devtools or the e2e suites)
RUN --mount=type=cache,target=/root/.m2 \
    ./mvnw -B -DskipTests package -pl app -am \
    && cp app/target/cachesync.jar /cachesync.jar

# ---- run: a JRE, the jar, a non-root user ---------------------------------------------------------------------
FROM eclipse-temurin:17-jre
# curl is for the container health checks (docker-compose.yml); nothing else is added to the base image
RUN apt-get update \
    && apt-get install -y --no-install-recommends curl \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid 10001 cachesync \
    && useradd --system --uid 10001 --gid cachesync --home-dir /app --no-create-home --shell /usr/sbin/nologin cachesync \
    && mkdir -p /app /config /var/lib/cachesync/state \
    && chown -R 10001:10001 /var/lib/cachesync
COPY --from=build /cachesync.jar /app/cachesync.jar
USER 10001:10001
WORKDIR /app
# JSON logs on stdout/stderr for the log shipper; the JVM sizes its heap from the container's memory limit
ENV CACHESYNC_LOG_FORMAT=json \
    JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=75 -XX:+ExitOnOutOfMemoryError"
# query-api, cache-sync, cdc-ingest (api.port, sync.http-port, ingest.http-port)
EXPOSE 8080 8081 9401 9402
ENTRYPOINT ["java", "-jar", "/app/cachesync.jar"]
CMD ["--help"]
