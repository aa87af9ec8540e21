package io.cachesync.core.redis;

import redis.clients.jedis.BuilderFactory;
import redis.clients.jedis.CommandArguments;
import redis.clients.jedis.CommandObject;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.RedisClusterClient;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisNoScriptException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * A Lua script run by {@code EVALSHA}. Redis forgets scripts when it restarts (or on SCRIPT FLUSH); the first
 * call after that fails with NOSCRIPT, and the script is loaded again and the call repeated once.
 */
public final class LuaScript {
    private final String name;
    private final String source;
    private volatile String sha;

    private LuaScript(String name, String source) {
        this.name = name;
        this.source = source;
    }

    public static LuaScript fromResource(String name) {
        String path = "/io/cachesync/core/redis/" + name + ".lua";
        try (InputStream in = LuaScript.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("Lua script " + path + " is missing from the classpath");
            }
            return new LuaScript(name, new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalStateException("Lua script " + path + " cannot be read", e);
        }
    }

    public String name() {
        return name;
    }

    public String source() {
        return source;
    }

    /** Loads the script (idempotent; on a cluster into every node, replicas included) and returns its SHA1. */
    public String load(UnifiedJedis redis) {
        String s = redis instanceof RedisClusterClient cluster
                ? cluster.broadcastCommand(new CommandObject<>(new CommandArguments(Protocol.Command.SCRIPT).add(Protocol.Keyword.LOAD)
                        .add(source), BuilderFactory.STRING))
                : redis.scriptLoad(source);
        sha = s;
        return s;
    }

    public String sha(UnifiedJedis redis) {
        String s = sha;
        return s != null ? s : load(redis);
    }

    public Object run(UnifiedJedis redis, List<String> keys, List<String> args) {
        String s = sha(redis);
        try {
            return redis.evalsha(s, keys, args);
        } catch (JedisNoScriptException e) {
            return redis.evalsha(load(redis), keys, args);
        }
    }
}
