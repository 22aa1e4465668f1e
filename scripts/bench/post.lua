-- wrk script: POST pre-generated 100-row JSON batches to /v1/metrics, cycling
-- through the lines of the file named by $BENCH_BODIES ("TOKEN<TAB>BODY").
local bodies = {}
local i = 0

function init(args)
	local f = assert(io.open(os.getenv("BENCH_BODIES"), "r"))
	for line in f:lines() do
		local tab = line:find("\t", 1, true)
		bodies[#bodies + 1] = { line:sub(1, tab - 1), line:sub(tab + 1) }
	end
	f:close()
	-- each thread starts at a different place in the list
	i = math.random(#bodies)
end

function request()
	i = i % #bodies + 1
	local b = bodies[i]
	return wrk.format("POST", "/v1/metrics", {
		["Content-Type"] = "application/json",
		["Authorization"] = "Bearer " .. b[1],
	}, b[2])
end
