-- Fill (DESIGN rule 3), run by query-api after reading PostgreSQL under a lease.
-- KEYS[1]  the row key
-- ARGV[1]  the lease token the reader holds
-- ARGV[2]  'u' the row exists, 'd' PostgreSQL has no such row (negative cache)
-- ARGV[3]  the document (ignored for 'd')
-- ARGV[4]  TTL in milliseconds
-- Writes only if the lease is still this reader's: a CDC apply in between removed it, so a fill that may hold an
-- older value is dropped. The version written is 0, below every real version, so any later CDC apply wins; or, when
-- the key held an invalidation's version before the lease (apply.lua 'i'), that version, which the read is at least
-- as new as (it began after the invalidation was applied), so a change older than the invalidation is still skipped.
-- Returns 1 when filled, 0 when dropped.
local key = KEYS[1]
local held = redis.call('HMGET', key, 'l', 'v')
if held[1] ~= ARGV[1] then return 0 end
local version = held[2] or '0'
if ARGV[2] == 'd' then
  redis.call('HSET', key, 'v', version, 'x', '1')
else
  redis.call('HSET', key, 'v', version, 'd', ARGV[3], 'o', 'fill')
end
redis.call('HDEL', key, 'l')
redis.call('PEXPIRE', key, ARGV[4])
return 1
