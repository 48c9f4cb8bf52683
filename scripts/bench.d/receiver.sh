#!/usr/bin/env bash
# Receiver: accepted webhooks per second at 64 connections with p50/p99 latency (wrk posting
# GitHub-signed JSON, a new delivery id per request), beside pgbench running the same insert one
# row per transaction at 64 clients; then checks that every 2xx is a committed row.
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/lib/services.sh
. scripts/lib/bench.sh
DURATION=${BENCH_DURATION:-30}
CONNECTIONS=${BENCH_CONNECTIONS:-64}
command -v wrk >/dev/null 2>&1 || { apt-get install -y -qq wrk >/dev/null 2>&1 || { apt-get update -qq >/dev/null && apt-get install -y -qq wrk >/dev/null; }; }
bench_services db
bench_build intake-receiver intakectl
bench_database receiver

PORT=$(intake_free_port)
ADMIN_PORT=$(intake_free_port)
SECRET=bench-secret
BODY='{"action":"opened","number":1,"repository":{"full_name":"acme/widgets"},"sender":{"login":"octocat"}}'
SIGNATURE=$(printf '%s' "$BODY" | openssl dgst -sha256 -hmac "$SECRET" | awk '{print $NF}')
cat >"$BENCH_DIR/receiver.yaml" <<YAML
database: { url: "$BENCH_DB_URL" }
receiver: { listen: "127.0.0.1:$PORT", admin_listen: "127.0.0.1:$ADMIN_PORT", event_loops: 1 }
sources:
  github:
    verify: { type: hmac-sha256, header: X-Hub-Signature-256, prefix: "sha256=", secret: "$SECRET" }
    id: { header: X-GitHub-Delivery }
    handler: webhook.generic
workers: { metrics_listen: "127.0.0.1:0" }
YAML
cat >"$BENCH_DIR/post.lua" <<LUA
local counter = 0
thread_id = 0
local threads = 0
function setup(thread)
  thread:set("thread_id", threads)
  threads = threads + 1
end
request = function()
  counter = counter + 1
  local headers = {}
  headers["Content-Type"] = "application/json"
  headers["X-GitHub-Event"] = "pull_request"
  headers["X-Hub-Signature-256"] = "sha256=$SIGNATURE"
  headers["X-GitHub-Delivery"] = "bench-" .. thread_id .. "-" .. counter
  return wrk.format("POST", "/webhooks/github", headers, '$BODY')
end
done = function(summary, latency, requests)
  io.write(string.format("WRK %d %d %d %.3f %.3f\n", summary.requests,
    summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.duration, latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
LUA

INTAKE_LOG_LEVEL=warning "$BENCH_BIN/intake-receiver" --config "$BENCH_DIR/receiver.yaml" >"$BENCH_DIR/receiver.log" 2>&1 &
pid=$!
for _ in $(seq 1 100); do curl -fsS -o /dev/null "http://127.0.0.1:$ADMIN_PORT/healthz" 2>/dev/null && break; sleep 0.1; done
wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency -s "$BENCH_DIR/post.lua" "http://127.0.0.1:$PORT" >"$BENCH_DIR/wrk.txt"
kill -TERM "$pid"; wait "$pid" 2>/dev/null || true
read -r _ requests errors micros p50 p99 <<<"$(grep '^WRK' "$BENCH_DIR/wrk.txt")"
accepted=$((requests - errors))
rows=$(psql -Atq "$BENCH_DB_URL" -c "SELECT count(*) FROM intake.deliveries")

echo "INSERT INTO intake.deliveries (source, external_id, headers, body) VALUES ('pgbench', md5(random()::text || clock_timestamp()::text), '{}', convert_to('$BODY', 'UTF8'));" >"$BENCH_DIR/insert-one.sql"
ceiling=$(pgbench -n -c "$CONNECTIONS" -j 2 -T "$DURATION" -f "$BENCH_DIR/insert-one.sql" "$BENCH_DB_URL" 2>/dev/null | awk '/^tps/ {print int($3)}')

rate=$(python3 -c "print(round($accepted / ($micros / 1e6)))")
printf '\nReceiver, %d connections, %d s, GitHub-signed %d-byte JSON, unique ids\n' "$CONNECTIONS" "$DURATION" "${#BODY}"
printf '%-52s %10s %9s %9s\n' "what" "per s" "p50 ms" "p99 ms"
printf '%-52s %10s %9s %9s\n' "intake-receiver (2xx answers)" "$rate" "$p50" "$p99"
printf '%-52s %10s\n' "pgbench, same insert, one row per transaction" "$ceiling"
printf 'ratio to pgbench: %.1fx; 2xx answers %d, non-2xx/errors %d, rows in intake.deliveries %d (%s)\n' \
  "$(python3 -c "print($rate / max($ceiling, 1))")" "$accepted" "$errors" "$rows" \
  "$([ "$rows" -ge "$accepted" ] && echo 'every 2xx is a row' || echo 'MISSING ROWS')"
