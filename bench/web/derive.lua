-- wrk script: POST /api/derive with the seed's requests (bodies.jsonl, one JSON request per line), in rotation.
-- Counts every answer that is not HTTP 200 with "ok":true, and prints the latency percentiles.
local path = os.getenv("NABLA_BODIES") or "bench/web/bodies.jsonl"
local bodies = {}
for line in io.lines(path) do
  if #line > 0 then bodies[#bodies + 1] = line end
end
assert(#bodies > 0, "no request bodies in " .. path)

local threads = {}
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("offset", counter)
  table.insert(threads, thread)
end

function init(args)
  bad = 0
  sample = ""
  i = offset or 0
end

function request()
  i = i % #bodies + 1
  return wrk.format("POST", "/api/derive", { ["Content-Type"] = "application/json" }, bodies[i])
end

function response(status, headers, body)
  if status ~= 200 or not string.find(body, '"ok":true', 1, true) then
    bad = bad + 1
    if sample == "" then sample = status .. " " .. string.sub(body, 1, 200) end
  end
end

function done(summary, latency, requests)
  local total = 0
  for _, t in ipairs(threads) do
    total = total + t:get("bad")
    local s = t:get("sample")
    if s ~= nil and s ~= "" then io.write("a failed answer: " .. s .. "\n") end
  end
  io.write(string.format("requests: %d in %.1f s, %.0f per second\n", summary.requests, summary.duration / 1e6,
    summary.requests / (summary.duration / 1e6)))
  io.write(string.format("errors: connect %d, read %d, write %d, status %d, timeout %d; answers not ok: %d\n",
    summary.errors.connect, summary.errors.read, summary.errors.write, summary.errors.status, summary.errors.timeout, total))
  for _, p in ipairs({ 50, 90, 99, 99.9 }) do
    io.write(string.format("p%g latency: %.2f ms\n", p, latency:percentile(p) / 1000))
  end
  io.write(string.format("max latency: %.2f ms\n", latency.max / 1000))
end
