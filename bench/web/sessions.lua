-- bench/web/sessions.lua — wrk script of bench/web/run: spreads the requests
-- over many signed-in sessions and over a list of API paths.
--
--   wrk -t2 -c64 -d20s --latency -s bench/web/sessions.lua http://127.0.0.1:PORT \
--       -- PATHS COOKIES
--
-- PATHS: a file of request paths, one a line, in the order they are sent
-- (bench/web/run writes the mix shuffled, weights by repetition); COOKIES: a
-- file of session tokens (the value of the cookie agora_session), one a line.
-- Each wrk thread walks both lists from its own starting point, the cookies
-- with a stride prime to their number, so consecutive requests of a thread
-- (and of a connection) carry different sessions and paths.
--
-- No response() function: wrk then does not copy bodies into Lua, and counts
-- every status above 399 itself (summary.errors.status, its "Non-2xx or 3xx
-- responses" line; the API answers no 3xx). done() prints one line
-- "WEBBENCH {json}" with the numbers bench/web/run reads.
-- SPDX-License-Identifier: EUPL-1.2

local counter = 0

function setup(thread)
    thread:set("tid", counter)
    counter = counter + 1
end

local function read_lines(path)
    local t = {}
    local f = assert(io.open(path, "r"), "cannot read " .. tostring(path))
    for line in f:lines() do
        if line ~= "" then
            t[#t + 1] = line
        end
    end
    f:close()
    assert(#t > 0, path .. ": empty")
    return t
end

local paths, cookies
local pi, ci, cstride = 0, 0, 1

local function gcd(a, b)
    while b ~= 0 do
        a, b = b, a % b
    end
    return a
end

function init(args)
    paths = read_lines(args[1])
    cookies = read_lines(args[2])
    local id = tid or 0
    -- threads start far apart in both lists
    pi = (id * 7919) % #paths
    ci = (id * 104729) % #cookies
    -- a stride prime to the number of sessions, so that every one is used
    cstride = 7
    while gcd(cstride, #cookies) ~= 1 do
        cstride = cstride + 1
    end
end

function request()
    local path = paths[pi + 1]
    pi = (pi + 1) % #paths
    local cookie = cookies[ci + 1]
    ci = (ci + cstride) % #cookies
    return wrk.format("GET", path, { ["Cookie"] = "agora_session=" .. cookie })
end

function done(summary, latency, requests)
    local e = summary.errors
    io.write(string.format(
        'WEBBENCH {"duration_us":%d,"requests":%d,"bytes":%d,' ..
        '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
        '"latency_us":{"mean":%.1f,"stdev":%.1f,"min":%d,"max":%d,' ..
        '"p50":%d,"p75":%d,"p90":%d,"p99":%d,"p999":%d}}\n',
        summary.duration, summary.requests, summary.bytes,
        e.connect, e.read, e.write, e.status, e.timeout,
        latency.mean, latency.stdev, latency.min, latency.max,
        latency:percentile(50), latency:percentile(75), latency:percentile(90),
        latency:percentile(99), latency:percentile(99.9)))
end
