package io.cachesync.e2e;

/** Every test of {@link AdminIT}, the services using a Redis Cluster (three masters with a replica each, from the devstack). */
@OnRedisCluster
class AdminOnClusterIT extends AdminIT {
}
