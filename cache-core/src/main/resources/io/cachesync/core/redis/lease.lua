-- Lease (DESIGN rule 2), run by query-api after a miss.
-- KEYS[1]  the row key
-- ARGV[1]  the reader's lease token
-- ARGV[2]  lease TTL in milliseconds
-- Returns {'HIT', v, d} or {'NEGATIVE', v} when an entry appeared meanwhile, {'BUSY'} when another reader
-- holds the lease, {'LEASED'} when this reader now holds it: the key did not exist, or held only the version of an
-- invalidation (apply.lua 'i'), which it keeps, with its TTL, for the fill.
local key = KEYS[1]
local e = redis.call('HMGET', key, 'v', 'd', 'x', 'l')
if e[2] then return {'HIT', e[1], e[2]} end
if e[3] then return {'NEGATIVE', e[1]} end
if e[4] then return {'BUSY'} end
redis.call('HSET', key, 'l', ARGV[1])
if not e[1] then
  redis.call('PEXPIRE', key, ARGV[2])
end
return {'LEASED'}
