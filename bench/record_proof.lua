-- record_proof.lua — wrk script: GET /api/v1/record/proof/inclusion?leaf=I&size=N with
-- I random in [0, N), so each request proves a different leaf of the tree of size N.
--   wrk ... -s bench/record_proof.lua http://HOST:PORT/api/v1/record/proof/inclusion N
-- The -H headers (Authorization) are sent with every request.
local n
local base

function init(args)
    n = tonumber(args[1])
    if not n or n < 1 then error("usage: record_proof.lua N (the tree size)") end
    base = wrk.path
    math.randomseed(os.time())
end

function request()
    return wrk.format(nil, base .. "?leaf=" .. math.random(0, n - 1) .. "&size=" .. n)
end
