package io.cachesync.e2e;

/** {@link TruncateIT} with the services on a Redis Cluster: the truncate scans every master and deletes bucket by bucket. */
@OnRedisCluster
class TruncateOnClusterIT extends TruncateIT {
}
