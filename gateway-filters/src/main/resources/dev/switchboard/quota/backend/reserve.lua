-- Reserve: every bucket of a request in one atomic step, all-or-nothing.
-- KEYS: the buckets. ARGV: now, month_end, then per bucket: amount, required (1/0), its limits.
-- When every required bucket holds its amount in every limit, takes it from them and from each
-- optional (dry-run) bucket that holds it; otherwise takes nothing anywhere.
-- Returns { admitted, then per bucket: fits, available per limit (after taking, if taken) }.
local p = 3
local buckets = {}
local admitted = true
for i = 1, #KEYS do
  local amount = tonumber(ARGV[p])
  local required = ARGV[p + 1] == '1'
  local kinds, caps, next_p = limits(p + 2)
  p = next_p
  local a, c = load(KEYS[i], kinds, caps)
  local fits = true
  if amount > 0 then
    for j = 1, #kinds do
      if a[j] < amount then
        fits = false
      end
    end
  end
  if required and not fits then
    admitted = false
  end
  buckets[i] = { amount = amount, kinds = kinds, caps = caps, a = a, c = c, fits = fits }
end
local out = { admitted and 1 or 0 }
for i = 1, #KEYS do
  local b = buckets[i]
  if admitted and b.fits and b.amount > 0 then
    for j = 1, #b.kinds do
      b.a[j] = b.a[j] - b.amount
    end
    store(KEYS[i], b.kinds, b.caps, b.a, b.c)
  end
  out[#out + 1] = b.fits and 1 or 0
  for j = 1, #b.kinds do
    out[#out + 1] = b.a[j]
  end
end
return out
