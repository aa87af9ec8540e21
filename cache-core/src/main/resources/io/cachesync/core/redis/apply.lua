-- Versioned apply (DESIGN rule 1), run by cache-sync for every change.
-- KEYS[1]  the row key cs:<entity>:<id>
-- KEYS[2…] the guards this write names in ARGV[5] and ARGV[6], in that order (DESIGN rules 1 and 7):
--          the writer's fence cs:_fence:<application>:<store>:<task>, then the source floor cs:_source
-- ARGV[1]  the change's version: fixed-width hex for CDC (source epoch, commit position, position in the transaction),
--          or the publisher's decimal version without leading zeros for commands; never both for one entity
-- ARGV[2]  'u' upsert, 'd' delete, or 'i' invalidate: the change is newer but its row is not cached (too large), so the
--          key is removed and the next read fills it from PostgreSQL
-- ARGV[3]  the document (ignored for a delete)
-- ARGV[4]  TTL in milliseconds (the entity TTL with jitter, or the tombstone TTL)
-- ARGV[5]  the fencing token this writer took when it was given the partition, or '' for no fence
-- ARGV[6]  optional (CDC): the source epoch of this change (the version's first digits); the change is skipped when
--          the floor's epoch is newer — it comes from a database the cache no longer follows (a restore, a new cluster)
-- Returns 1 when written, 0 when the stored version is equal or newer, or the change's source is older than the
-- floor (a replay or a late event: skipped), -1 when the fence holds another token: a newer owner of the partition
-- took it, and this writer must not write any more.
-- Versions are compared as strings, length first, so they are exact up to any size.
local function newer(a, b)
  if #a ~= #b then return #a > #b end
  return a > b
end
local key = KEYS[1]
local guard = 2
if ARGV[5] and ARGV[5] ~= '' then
  if redis.call('GET', KEYS[guard]) ~= ARGV[5] then
    return -1
  end
  guard = guard + 1
end
if ARGV[6] then
  local floor = redis.call('HGET', KEYS[guard], 'e')
  if floor and newer(floor, ARGV[6]) then
    return 0
  end
end
local cur = redis.call('HGET', key, 'v')
if cur and not newer(ARGV[1], cur) then
  redis.call('HDEL', key, 'l')
  return 0
end
if ARGV[2] == 'i' then
  redis.call('DEL', key)
  return 1
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
