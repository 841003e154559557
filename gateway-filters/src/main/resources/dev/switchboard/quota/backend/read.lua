-- Read: what one bucket holds now, per limit, without writing. KEYS: the bucket. ARGV: now,
-- month_end, its limits.
local kinds, caps = limits(3)
local a = load(KEYS[1], kinds, caps)
return a
