-- taxii_match_id.lua — wrk script: GET PATH?match[id]=ID with ID cycling through a file
-- of object ids (one a line; taxii_gen.py's ids.txt holds every 1000th generated id), so
-- each request looks up a different object instead of one hot row.
--   wrk ... -s bench/taxii_match_id.lua URL IDS_FILE
-- The -H headers (Authorization) are sent with every request. Non-2xx answers are
-- counted by wrk and reported in its summary ("Non-2xx or 3xx responses").
local ids = {}
local i = 0
local base

function init(args)
    for line in io.lines(args[1]) do
        if #line > 0 then ids[#ids + 1] = line end
    end
    if #ids == 0 then error("no ids in " .. tostring(args[1])) end
    base = wrk.path
    if string.find(base, "?", 1, true) then base = base .. "&" else base = base .. "?" end
end

function request()
    i = i % #ids + 1
    return wrk.format(nil, base .. "match%5Bid%5D=" .. ids[i])
end
