-- wrk's requests for the badge server's mixed load (bench/server-ops.sh):
-- of every 20 requests, 12 are cached badges, 4 cached reports, 2 distinct
-- names never asked before (a lookup each: version document, attestations,
-- package document), 1 a latest badge and 1 one of 200 names with a
-- 5,000-version history (documents the cache may or may not still hold).
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("id", threads)
end

local n = 0
function request()
  n = n + 1
  local slot = n % 20
  local path
  if slot < 12 then
    path = "/badge/npm/trust-provenance/1.0.0.svg"
  elseif slot < 16 then
    path = "/api/verify/trust-trusted-publisher/1.0.0"
  elseif slot < 18 then
    path = "/badge/npm/load-" .. (id * 100000000 + n) .. ".json"
  elseif slot < 19 then
    path = "/badge/npm/downgrade-provenance.svg"
  else
    path = "/badge/npm/history-" .. (n % 200) .. ".svg"
  end
  return wrk.format("GET", path)
end
