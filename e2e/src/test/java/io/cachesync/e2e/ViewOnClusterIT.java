package io.cachesync.e2e;

/** Every test of {@link ViewIT}, the services using a Redis Cluster (view documents spread over the 256 buckets like rows). */
@OnRedisCluster
class ViewOnClusterIT extends ViewIT {
}
