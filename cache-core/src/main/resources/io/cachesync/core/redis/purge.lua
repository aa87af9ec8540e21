-- Purge of rows from an older source (DESIGN rule 1), run by cache-sync after the source floor rose.
-- KEYS     row keys of CDC entities (found by SCAN)
-- ARGV[1]  the floor's epoch (fixed-width hex)
-- ARGV[2]  the width of a CDC version; a version of another width is older than any epoch (written before versions
--          carried one) and a fill (version '0') may hold a read of the old database
-- Deletes every row whose version is not from the floor's epoch or a newer one (values, tombstones, fills, lone
-- leases: their fill is then dropped), atomically per row, so a change of the new source written meanwhile is kept.
-- A key of another type is left alone. Returns the deleted keys.
local deleted = {}
local width = tonumber(ARGV[2])
for _, key in ipairs(KEYS) do
  local v = redis.pcall('HGET', key, 'v')
  if type(v) ~= 'table' and (v or redis.call('EXISTS', key) == 1) then
    local keep = v and #v == width and v:sub(1, #ARGV[1]) >= ARGV[1]
    if not keep then
      redis.call('UNLINK', key)
      deleted[#deleted + 1] = key
    end
  end
end
return deleted
