-- Gives a lease back (the reader failed before it could fill), only if it is still this reader's.
-- KEYS[1] the row key; ARGV[1] the lease token. Returns 1 when released.
if redis.call('HGET', KEYS[1], 'l') ~= ARGV[1] then return 0 end
redis.call('HDEL', KEYS[1], 'l')
return 1
