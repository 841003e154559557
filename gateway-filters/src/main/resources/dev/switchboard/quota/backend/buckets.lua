-- Switchboard quota buckets: shared helpers, prepended to reserve.lua, settle.lua and read.lua.
--
-- A bucket is one hash: 't' (ms of the last write), and per limit, by its id, 'a:<id>' (tokens
-- available, may be negative: a debt from usage above the reservation), 'c:<id>' (the fraction of a
-- token a per-minute limit has refilled but not yet added, in token*ms/60000 units, so refill is
-- exact) and 'k:<id>' (the capacity it was written with). A missing bucket or limit is full. When a
-- limit's capacity changes (a live configuration change), what was used carries over: available
-- moves by the change of capacity, so raising a day's budget from 1000 to 2000 after 900 were used
-- leaves 1100, never a fresh 2000; lowering it to 500 leaves none (and no new debt). Limit kinds: 'm' per minute, refilled continuously (a token bucket);
-- 'd' per day, refilled to capacity at 00:00 UTC; 'M' per month, never refilled (the key carries the
-- month). ARGV[1] is the caller's clock in ms, ARGV[2] the start of the next UTC month in ms.
local now = tonumber(ARGV[1])
local month_end = tonumber(ARGV[2])
local MINUTE = 60000
local DAY = 86400000
-- 't' of each bucket as loaded. Gateways' clocks differ a little: 't' only ever moves forward, so a
-- gateway whose clock is behind neither refills (elapsed is 0 for it) nor moves 't' back, which
-- would let the next gateway with a clock ahead refill the same skew again, once per alternation.
local loaded_t = {}
-- Set by settle.lua: a settlement corrects what its reservation took on the bucket as it is now, with
-- the capacities last written, so a request of an earlier configuration version never takes the
-- limits back to its own.
local adopt_stored = false

-- Reads a limit list from ARGV at p: n, then (id, kind, capacity) n times. Returns kinds, caps, next
-- p; the ids are kept in ids_of[caps] for load and store.
local ids_of = {}
local function limits(p)
  local n = tonumber(ARGV[p])
  local ids, kinds, caps = {}, {}, {}
  for j = 1, n do
    ids[j] = ARGV[p + 3 * j - 2]
    kinds[j] = ARGV[p + 3 * j - 1]
    caps[j] = tonumber(ARGV[p + 3 * j])
  end
  ids_of[caps] = ids
  return kinds, caps, p + 1 + 3 * n
end

-- The bucket as of now: available and carry per limit, refills applied (nothing written).
local function load(key, kinds, caps)
  local ids = ids_of[caps]
  local raw = redis.call('HGETALL', key)
  local h = {}
  for i = 1, #raw, 2 do
    h[raw[i]] = tonumber(raw[i + 1])
  end
  local t = h['t']
  loaded_t[key] = t
  local a, c = {}, {}
  for j = 1, #kinds do
    local cap = caps[j]
    local av = h['a:' .. ids[j]]
    local carry = h['c:' .. ids[j]] or 0
    local was = h['k:' .. ids[j]]
    if adopt_stored and was ~= nil then
      cap = was
      caps[j] = was
    end
    if av ~= nil and was ~= nil and was ~= cap then
      local moved = av + cap - was
      if cap < was then
        -- Lowered below what was used: nothing left, but no debt beyond the one there was.
        moved = math.max(moved, math.min(av, 0))
      end
      av = moved
      carry = 0
    end
    if t == nil or av == nil then
      av = cap
      carry = 0
    else
      local elapsed = math.max(0, now - t)
      if kinds[j] == 'm' then
        if av < cap then
          local num = elapsed * cap + carry
          if num >= (cap - av) * MINUTE then
            av = cap
            carry = 0
          else
            local add = math.floor(num / MINUTE)
            av = av + add
            carry = num - add * MINUTE
          end
        else
          carry = 0
        end
      elseif kinds[j] == 'd' then
        local days = math.floor(now / DAY) - math.floor(t / DAY)
        if days > 0 and av < cap then
          av = math.min(cap, av + cap * days)
        end
      end
    end
    a[j] = av
    c[j] = carry
  end
  return a, c
end

-- Writes the bucket back with a TTL of the time it needs to be full again plus a minute: once
-- full, a missing key reads the same, so idle buckets leave Redis on their own.
local function store(key, kinds, caps, a, c)
  local ids = ids_of[caps]
  local ttl = MINUTE
  local fields = { 't', math.max(now, loaded_t[key] or now) }
  for j = 1, #kinds do
    local cap, av = caps[j], a[j]
    if av < cap then
      local need
      if kinds[j] == 'm' then
        need = math.ceil((cap - av) * MINUTE / cap)
      elseif kinds[j] == 'd' then
        need = math.ceil((cap - av) / cap) * DAY - (now % DAY)
      else
        need = month_end - now
      end
      ttl = math.max(ttl, need + MINUTE)
    end
    fields[#fields + 1] = 'a:' .. ids[j]
    fields[#fields + 1] = av
    fields[#fields + 1] = 'c:' .. ids[j]
    fields[#fields + 1] = c[j]
    fields[#fields + 1] = 'k:' .. ids[j]
    fields[#fields + 1] = cap
  end
  redis.call('HSET', key, unpack(fields))
  redis.call('PEXPIRE', key, ttl)
end
