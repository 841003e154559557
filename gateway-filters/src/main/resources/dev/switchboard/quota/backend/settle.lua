-- Settle: correct buckets from what was reserved to what was used, and add the usage to the
-- team's ledger, at most once per settlement id.
-- KEYS: [marker], buckets..., [day ledger, month ledger].
-- ARGV: now, month_end, has_marker (1/0), marker_ttl_ms, has_ledger (1/0), then per bucket: delta
-- (positive charges into debt, negative refunds up to capacity) and its limits; then, with a
-- ledger: requests, prompt, completion, spend, day ledger TTL ms, month ledger TTL ms, then the model
-- id ('' for none) and the cost in USD: with a model, the same usage is added to its '<model>|...'
-- fields, which the cost report reads (one script per request records quota and cost together).
-- Returns 1 when applied, 0 when this id was settled before (nothing changed).
adopt_stored = true
local k = 1
if ARGV[3] == '1' then
  if not redis.call('SET', KEYS[1], '1', 'NX', 'PX', ARGV[4]) then
    return 0
  end
  k = 2
end
local has_ledger = ARGV[5] == '1'
local last = #KEYS - (has_ledger and 2 or 0)
local p = 6
for i = k, last do
  local delta = tonumber(ARGV[p])
  local kinds, caps, next_p = limits(p + 1)
  p = next_p
  if delta ~= 0 then
    local a, c = load(KEYS[i], kinds, caps)
    for j = 1, #kinds do
      if delta > 0 then
        a[j] = a[j] - delta
      else
        a[j] = math.min(caps[j], a[j] - delta)
      end
    end
    store(KEYS[i], kinds, caps, a, c)
  end
end
if has_ledger then
  for i = 1, 2 do
    local key = KEYS[last + i]
    redis.call('HINCRBY', key, 'requests', ARGV[p])
    redis.call('HINCRBY', key, 'prompt', ARGV[p + 1])
    redis.call('HINCRBY', key, 'completion', ARGV[p + 2])
    redis.call('HINCRBY', key, 'spend', ARGV[p + 3])
    local model = ARGV[p + 6]
    if model ~= nil and model ~= '' then
      redis.call('HINCRBY', key, model .. '|requests', ARGV[p])
      redis.call('HINCRBY', key, model .. '|prompt_tokens', ARGV[p + 1])
      redis.call('HINCRBY', key, model .. '|completion_tokens', ARGV[p + 2])
      redis.call('HINCRBYFLOAT', key, model .. '|cost_usd', ARGV[p + 7])
    end
    redis.call('PEXPIRE', key, ARGV[p + 3 + i])
  end
end
return 1
