-- The source floor cs:_source (DESIGN rule 1): the newest source epoch cache-sync has seen — a number cdc-ingest gives
-- each identity of the database it reads (system identifier and timeline), rising at every restore, failover or move
-- to a new cluster — and the epoch whose older rows were last purged.
-- KEYS[1]  cs:_source, a hash: 'e' the epoch (fixed-width hex), 'p' the epoch the purge of older rows finished for
-- ARGV[1]  'raise': ARGV[2] is an epoch cdc-ingest announced. Returns 1 when it is newer than the floor (the floor now
--          holds it and rows of older epochs must be purged), 0 otherwise. Without a floor (never set, or Redis lost its
--          data), epoch 0 is taken as already purged (nothing is older), and any later epoch as due: rows of older
--          epochs may have been written since (a rebuild, a late change).
--          'purged': ARGV[2] is the epoch a purge finished for; recorded only while it is still the floor's.
--          'captured': ARGV[2] is an epoch a change was applied under; recorded ('c') only while it is the floor's. Its
--          capture had begun then: a database read started later is covered by the changes that follow it.
--          'state': returns {e, p, c} (any may be false).
local e = redis.call('HGET', KEYS[1], 'e')
if ARGV[1] == 'state' then
  return {e, redis.call('HGET', KEYS[1], 'p'), redis.call('HGET', KEYS[1], 'c')}
end
if ARGV[1] == 'captured' then
  if e == ARGV[2] then redis.call('HSET', KEYS[1], 'c', ARGV[2]) end
  return 0
end
if ARGV[1] == 'purged' then
  if e == ARGV[2] then redis.call('HSET', KEYS[1], 'p', ARGV[2]) end
  return 0
end
if not e then
  if tonumber(ARGV[2], 16) == 0 then
    redis.call('HSET', KEYS[1], 'e', ARGV[2], 'p', ARGV[2])
    return 0
  end
  redis.call('HSET', KEYS[1], 'e', ARGV[2])
  return 1
end
if #ARGV[2] > #e or (#ARGV[2] == #e and ARGV[2] > e) then
  redis.call('HSET', KEYS[1], 'e', ARGV[2])
  return 1
end
return 0
