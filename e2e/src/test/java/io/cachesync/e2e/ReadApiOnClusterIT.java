package io.cachesync.e2e;

/** Every test of {@link ReadApiIT}, the services using a Redis Cluster (three masters with a replica each, from the devstack). */
@OnRedisCluster
class ReadApiOnClusterIT extends ReadApiIT {
}
