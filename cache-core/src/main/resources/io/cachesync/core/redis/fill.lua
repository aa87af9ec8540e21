-- Fill (DESIGN rule 3), run by query-api after reading PostgreSQL under a lease.
-- KEYS[1]  the row key
-- ARGV[1]  the lease token the reader holds
-- ARGV[2]  'u' the row exists, 'd' PostgreSQL has no such row (negative cache)
-- ARGV[3]  the document (ignored for 'd')
-- ARGV[4]  TTL in milliseconds
-- Writes version 0 only if the lease is still this reader's: a CDC apply in between removed it, so a fill
-- that may hold an older value is dropped; every real version is > 0, so any later CDC apply wins.
-- Returns 1 when filled, 0 when dropped.
local key = KEYS[1]
if redis.call('HGET', key, 'l') ~= ARGV[1] then return 0 end
if ARGV[2] == 'd' then
  redis.call('HSET', key, 'v', '0', 'x', '1')
else
  redis.call('HSET', key, 'v', '0', 'd', ARGV[3], 'o', 'fill')
end
redis.call('HDEL', key, 'l')
redis.call('PEXPIRE', key, ARGV[4])
return 1
