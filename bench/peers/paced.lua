-- bench/peers/paced.lua: each connection waits PACE_MS between an answer and its next request,
-- so that 50 connections offer a steady load well below what any side can serve (wrk without
-- a script keeps every connection busy, and its latency is then the queue's).
local pace = tonumber(os.getenv("PACE_MS") or "5")

function delay()
  return pace
end
