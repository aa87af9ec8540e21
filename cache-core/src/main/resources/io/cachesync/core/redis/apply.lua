-- Versioned apply (DESIGN rule 1), run by cache-sync for every change.
-- KEYS[1]  the row key cs:<entity>:<id>
-- KEYS[2]  optional: the writer's fence cs:_fence:<application>:<store>:<task> (DESIGN rule 7)
-- ARGV[1]  the change's version: fixed-width hex for CDC (commit position + position in the transaction), or the
--          publisher's decimal version without leading zeros for commands; never both for one entity
-- ARGV[2]  'u' upsert or 'd' delete
-- ARGV[3]  the document (ignored for a delete)
-- ARGV[4]  TTL in milliseconds (the entity TTL with jitter, or the tombstone TTL)
-- ARGV[5]  with KEYS[2]: the fencing token this writer took when it was given the partition
-- Returns 1 when written, 0 when the stored version is equal or newer (a replay or a late event: skipped), -1 when
-- the fence holds another token: a newer owner of the partition took it, and this writer must not write any more.
-- Versions are compared as strings, length first, so they are exact up to any size.
local function newer(a, b)
  if #a ~= #b then return #a > #b end
  return a > b
end
local key = KEYS[1]
if KEYS[2] and redis.call('GET', KEYS[2]) ~= ARGV[5] then
  return -1
end
local cur = redis.call('HGET', key, 'v')
if cur and not newer(ARGV[1], cur) then
  redis.call('HDEL', key, 'l')
  return 0
end
if ARGV[2] == 'd' then
  redis.call('HSET', key, 'v', ARGV[1], 'x', '1')
  redis.call('HDEL', key, 'd', 'o', 'l')
else
  redis.call('HSET', key, 'v', ARGV[1], 'd', ARGV[3], 'o', 'cdc')
  redis.call('HDEL', key, 'x', 'l')
end
redis.call('PEXPIRE', key, ARGV[4])
return 1
