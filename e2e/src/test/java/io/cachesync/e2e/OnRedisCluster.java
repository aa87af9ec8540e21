package io.cachesync.e2e;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * On a subclass of a pipeline suite: run every test of the suite with the services on a devstack Redis Cluster instead
 * of the stack's standalone Redis (the suite's {@code @BeforeAll} asks {@link Pipeline.RedisKind#of}).
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
@interface OnRedisCluster {
}
