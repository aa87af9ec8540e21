-- Lease (DESIGN rule 2), run by query-api after a miss.
-- KEYS[1]  the row key
-- ARGV[1]  the reader's lease token
-- ARGV[2]  lease TTL in milliseconds
-- Returns {'HIT', v, d} or {'NEGATIVE', v} when an entry appeared meanwhile, {'BUSY'} when another reader
-- holds the lease, {'LEASED'} when this reader now holds it (the key did not exist).
local key = KEYS[1]
local e = redis.call('HMGET', key, 'v', 'd', 'x')
if e[2] then return {'HIT', e[1], e[2]} end
if e[3] then return {'NEGATIVE', e[1]} end
if redis.call('EXISTS', key) == 1 then return {'BUSY'} end
redis.call('HSET', key, 'l', ARGV[1])
redis.call('PEXPIRE', key, ARGV[2])
return {'LEASED'}
