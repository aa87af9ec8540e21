-- Generation counter of list or search pages (DESIGN rules 4 and 6).
-- KEYS     the counters cs:_gen:<entity>:... (or a task's fence): one for 'read'; for 'bump', every counter one batch
--          bumps (on a Redis Cluster, counters of one hash slot), each bumped in turn
-- ARGV[1]  'bump' (cache-sync, after a write that may change the pages) or 'read' (query-api, before it reads a page)
-- ARGV[2]  TTL in milliseconds
-- A counter that is missing (never set, expired, evicted or deleted) restarts at the server's clock in microseconds,
-- above every value it ever had (it rose by one per bump, far slower than a microsecond each), so an old page can
-- never become reachable again. Returns the generation (an integer) to use: for 'bump', the last counter's.
local function start()
  local t = redis.call('TIME')
  return t[1] .. string.format('%06d', tonumber(t[2]))
end
if ARGV[1] == 'read' then
  local v = redis.call('GET', KEYS[1])
  if v then return tonumber(v) end
  v = start()
  redis.call('SET', KEYS[1], v, 'PX', ARGV[2], 'NX')
  return tonumber(redis.call('GET', KEYS[1]))
end
local v
for _, key in ipairs(KEYS) do
  -- INCR makes 1 only of a missing counter (a present one is at least the clock it started at)
  v = redis.call('INCR', key)
  if v == 1 then
    v = tonumber(start())
    redis.call('SET', key, v)
  end
  redis.call('PEXPIRE', key, ARGV[2])
end
return v
