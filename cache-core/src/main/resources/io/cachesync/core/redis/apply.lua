-- Versioned apply (DESIGN rule 1) of several rows of one bucket, run by cache-sync for every batch: one script call per
-- bucket and up to a few hundred rows, the fence and the floor read once per call (on a Redis Cluster every key of a
-- call shares its bucket's hash slot).
-- KEYS[1…g]   the guards ARGV[1] and ARGV[2] name, in that order (DESIGN rules 1 and 7): the writer's fence
--             cs:_fence:<application>:<store>:<task> (its bucket's copy), then the source floor cs:_source (its copy)
-- KEYS[g+1…]  the row keys cs:<entity>:<id>, one per row, in the order the rows are applied
-- ARGV[1]     the fencing token this writer took when it was given the partition, or '' for no fence
-- ARGV[2]     '1' when the source floor's key is given (some row carries a source epoch), else '0'
-- then five ARGV per row, in the order of the row keys:
--   version   fixed-width hex for CDC (source epoch, commit position, position in the transaction) or a view document,
--             or the publisher's decimal version without leading zeros for commands; never both for one entity
--   op        'u' upsert, 'd' delete, or 'i' invalidate: the change is newer but its row is not cached (too large, or
--             an image without an untouched TOASTed column), so the key keeps only its version (no document: readers
--             miss and fill it from PostgreSQL, fill.lua keeping that version), and an older change arriving later
--             (a command publisher's retry) is still skipped
--   document  (ignored unless an upsert)
--   ttl       milliseconds (the entity TTL with jitter, or the tombstone TTL)
--   epoch     (CDC) the source epoch of this change (the version's first digits), or '': the change is skipped when the
--             floor's epoch is newer — it comes from a database the cache no longer follows (a restore, a new cluster)
-- Returns -1 when the fence holds another token (a newer owner of the partition took it: nothing was written, and this
-- writer must not write any more); otherwise one reply per row: 1 written, 0 skipped (the stored version is equal or
-- newer, or the change's source is older than the floor: a replay or a late event), or the error Redis gave for that
-- row's key when it holds another type than a row hash (WRONGTYPE: something outside cachesync wrote it), as a string.
-- Any other error stops the call; every apply is idempotent, so the caller retries the whole batch.
-- Versions are compared as strings, length first, so they are exact up to any size.
local function newer(a, b)
  if #a ~= #b then return #a > #b end
  return a > b
end
-- a guard key of another type (written outside cachesync) fails the call with an error that names it
local function guard(reply, what, key)
  if type(reply) == 'table' and reply.err then
    error({err = reply.err .. ' (' .. what .. ' ' .. key .. ')'})
  end
  return reply
end
local guards = 0
if ARGV[1] ~= '' then
  guards = 1
  if guard(redis.pcall('GET', KEYS[1]), 'the fence', KEYS[1]) ~= ARGV[1] then
    return -1
  end
end
local floor = false
if ARGV[2] == '1' then
  guards = guards + 1
  floor = guard(redis.pcall('HGET', KEYS[guards], 'e'), 'the source floor', KEYS[guards])
end
local out = {}
for i = 1, #KEYS - guards do
  local key = KEYS[guards + i]
  local a = 2 + (i - 1) * 5
  local version, op, epoch = ARGV[a + 1], ARGV[a + 2], ARGV[a + 5]
  if floor and epoch ~= '' and newer(floor, epoch) then
    out[i] = 0
  else
    -- the version, and whether a tombstone mark or a reader's lease are there to clear
    local cur = redis.pcall('HMGET', key, 'v', 'x', 'l')
    if cur.err then
      if not string.find(cur.err, 'WRONGTYPE', 1, true) then
        return cur
      end
      out[i] = cur.err
    elseif cur[1] and not newer(version, cur[1]) then
      if cur[3] then
        redis.call('HDEL', key, 'l')
      end
      out[i] = 0
    else
      if op == 'i' then
        redis.call('DEL', key)
        redis.call('HSET', key, 'v', version)
      elseif op == 'd' then
        redis.call('HSET', key, 'v', version, 'x', '1')
        redis.call('HDEL', key, 'd', 'o', 'l')
      else
        redis.call('HSET', key, 'v', version, 'd', ARGV[a + 3], 'o', 'cdc')
        if cur[2] or cur[3] then
          redis.call('HDEL', key, 'x', 'l')
        end
      end
      redis.call('PEXPIRE', key, ARGV[a + 4])
      out[i] = 1
    end
  end
end
return out
