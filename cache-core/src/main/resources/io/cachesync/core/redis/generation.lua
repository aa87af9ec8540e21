-- Generation counter of list or search pages (DESIGN rules 4 and 6).
-- KEYS[1]  the counter cs:_gen:<entity>:...
-- ARGV[1]  'bump' (cache-sync, after a write that may change the pages) or 'read' (query-api, before it reads a page)
-- ARGV[2]  TTL in milliseconds
-- A counter that is missing (never set, expired, evicted or deleted) restarts at the server's clock in microseconds,
-- above every value it ever had (it rose by one per bump, far slower than a microsecond each), so an old page can
-- never become reachable again. Returns the generation (an integer) to use.
local function start()
  local t = redis.call('TIME')
  return t[1] .. string.format('%06d', tonumber(t[2]))
end
local v = redis.call('GET', KEYS[1])
if ARGV[1] == 'read' then
  if v then return tonumber(v) end
  v = start()
  redis.call('SET', KEYS[1], v, 'PX', ARGV[2], 'NX')
  return tonumber(redis.call('GET', KEYS[1]))
end
if v then
  v = redis.call('INCR', KEYS[1])
else
  v = tonumber(start())
  redis.call('SET', KEYS[1], v)
end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return v
