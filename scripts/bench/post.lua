-- wrk script: POST pre-generated 100-row JSON batches to /v1/metrics, taken in
-- turn from the lines of the file named by $BENCH_BODIES ("TOKEN<TAB>BODY").
-- Thread k of n takes every n-th line starting at k, so that as long as the run
-- is shorter than the list every request carries rows not sent before.
local bodies = {}
local i = 0
local threads = 0

function setup(thread)
	thread:set("index", threads)
	threads = threads + 1
	thread:set("nthreads", threads)
end

function init(args)
	local n = tonumber(os.getenv("BENCH_THREADS") or "1")
	local k, lineno = index or 0, 0
	local f = assert(io.open(os.getenv("BENCH_BODIES"), "r"))
	for line in f:lines() do
		if lineno % n == k then
			local tab = line:find("\t", 1, true)
			bodies[#bodies + 1] = { line:sub(1, tab - 1), line:sub(tab + 1) }
		end
		lineno = lineno + 1
	end
	f:close()
end

function request()
	i = i % #bodies + 1
	local b = bodies[i]
	return wrk.format("POST", "/v1/metrics", {
		["Content-Type"] = "application/json",
		["Authorization"] = "Bearer " .. b[1],
	}, b[2])
end
