package io.cachesync.core.redis;

import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.RedisClusterClient;
import redis.clients.jedis.Response;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.exceptions.JedisNoScriptException;
import redis.clients.jedis.exceptions.JedisRedirectionException;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntFunction;

/**
 * Many calls of a Lua script in one round trip, on one Redis or a cluster: every reply in order, an error reply as its
 * {@code JedisDataException} for the caller to judge. When Redis forgot the script (NOSCRIPT: it restarted) the script
 * is loaded again and the whole pipeline sent once more; when a cluster's slot moved, its slot map is read again so
 * that the caller's retry reaches the right node.
 */
final class ScriptPipeline {
    private final UnifiedJedis redis;
    private final LongAdder roundTrips;

    ScriptPipeline(UnifiedJedis redis, LongAdder roundTrips) {
        this.redis = redis;
        this.roundTrips = roundTrips;
    }

    /** Queues a pipeline's calls; {@code sha} is the script's, every call's reply goes into {@code answers}, in order. */
    @FunctionalInterface
    interface Calls {
        void queue(AbstractPipeline p, String sha, List<Response<?>> answers);
    }

    /** {@code calls} calls of {@code script}, the i-th with {@code keys(i)} and {@code args(i)}. */
    List<Object> scripts(LuaScript script, int calls, IntFunction<List<String>> keys, IntFunction<List<String>> args) {
        return run(script, (p, sha, answers) -> {
            for (int i = 0; i < calls; i++) {
                answers.add(p.evalsha(sha, keys.apply(i), args.apply(i)));
            }
        });
    }

    /** Sends the calls {@code queue} makes (with {@code script}'s SHA) in one round trip; every reply, in order. */
    List<Object> run(LuaScript script, Calls queue) {
        for (int attempt = 0; ; attempt++) {
            roundTrips.increment();
            String sha = attempt == 0 ? script.sha(redis) : script.load(redis);
            List<Response<?>> answers = new ArrayList<>();
            try (AbstractPipeline p = RedisNodes.pipeline(redis)) {
                queue.queue(p, sha, answers);
                p.sync();
            } catch (JedisException e) {
                refreshTopology(); // a node is down (a failover): the caller's retry asks the cluster where slots are now
                throw e;
            }
            List<Object> out = new ArrayList<>(answers.size());
            boolean noScript = false;
            boolean moved = false;
            for (Response<?> a : answers) {
                try {
                    out.add(a.get());
                } catch (JedisNoScriptException e) {
                    if (attempt > 0) {
                        throw e;
                    }
                    noScript = true;
                    break;
                } catch (JedisDataException e) {
                    moved |= isClusterChange(e);
                    out.add(e); // one call's error: the caller decides
                }
            }
            if (moved) {
                refreshTopology();
            }
            if (!noScript) {
                return out;
            }
        }
    }

    /** The replies, or the first per-key error thrown. */
    static List<Object> rethrowErrors(List<Object> raw) {
        for (Object r : raw) {
            if (r instanceof RuntimeException e) {
                throw e;
            }
        }
        return raw;
    }

    /**
     * A cluster pipeline sends each call to the node its slot map names and follows no redirection: a slot that moved
     * (MOVED, ASK during a migration, TRYAGAIN for keys split by one, CLUSTERDOWN during a failover) fails the call.
     */
    private static boolean isClusterChange(JedisDataException e) {
        String m = e.getMessage();
        return e instanceof JedisRedirectionException
                || m != null && (m.startsWith("TRYAGAIN") || m.startsWith("CLUSTERDOWN") || m.startsWith("MOVED") || m.startsWith("ASK"));
    }

    private void refreshTopology() {
        if (redis instanceof RedisClusterClient cluster) {
            try {
                cluster.refreshClusterTopology();
            } catch (RuntimeException e) {
                // no node answered: the caller's retry will try again
            }
        }
    }
}
