#!/usr/bin/env bash
# The simulator alone under wrk (Debian's package): requests per second for a small chat completion, no
# simulated latency, faults or limits. Usage: scripts/bench-simulator.sh [seconds] [connections]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-10}
connections=${2:-200}
quarry=.build/release/quarry
command -v wrk > /dev/null || { echo "wrk is not installed (apt-get install wrk)" >&2; exit 1; }
log=$(mktemp)
lua=$(mktemp --suffix=.lua)
$quarry simulate --port 0 --latency 0 --log-level error > "$log" 2>&1 &
simulator=$!
trap 'kill $simulator 2>/dev/null; rm -f "$log" "$lua"' EXIT
for _ in $(seq 100); do
    grep -q "OpenAI base URL" "$log" && break
    sleep 0.1
done
base=$(sed -n 's/.*OpenAI base URL: \(http[^)]*\)).*/\1/p' "$log" | head -1)
[ -n "$base" ] || { echo "the simulator did not start:" >&2; cat "$log" >&2; exit 1; }
cat > "$lua" <<'LUA'
wrk.method = "POST"
wrk.body = '{"model":"sim-small","messages":[{"role":"user","content":"Summarise why quarries keep their benches level."}],"temperature":0,"max_tokens":64}'
wrk.headers["Content-Type"] = "application/json"
LUA
echo "wrk -t1 -c$connections -d${seconds}s against $base/chat/completions (one wrk thread; the simulator has the rest)"
wrk -t1 -c"$connections" -d"${seconds}s" -s "$lua" "$base/chat/completions"
