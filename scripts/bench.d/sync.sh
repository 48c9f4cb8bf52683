#!/usr/bin/env bash
# Module sync benchmark (SPEC §9: 2,000 modules in ≤ 100 ms of handler time).
#
# Posts 2,000-module Drupal syncs through the release-built intake-receiver and
# intake-inbox-worker, as deployed, and reads each sync's handler time from the result the
# handler stores on its delivery (processing_time_us: from the first byte parsed to the last
# statement of the handler, inside the transaction the delivery's completion commits in).
# Four cases, each the median of INTAKE_BENCH_RUNS (default 7) syncs:
#   cold        a new site listing 2,000 modules nobody has reported yet (every row new)
#   new-site    a new site listing 2,000 modules already in the catalogue
#   all-updated the same site, every module at a new version (2,000 updates + history)
#   unchanged   the same site sending the same list again
# Beside them, the machine's ceiling measured in the same run: psql inserting 2,000 rows of the
# same shape into one indexed table in one statement.
#
# Standalone: starts its own PostgreSQL (scripts/lib/services.sh) unless DATABASE_URL is set;
# then it works in a scratch database it drops at the end.
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/lib/services.sh

runs=${INTAKE_BENCH_RUNS:-7}
work=$(mktemp -d "${TMPDIR:-/tmp}/intake-bench-sync.XXXXXX")
chmod 755 "$work"
pids=()
own_pg=0
db="intake_bench_sync_$$"
cleanup() {
  local rc=$?
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [ -n "${admin_url:-}" ]; then
    "$psql" "$admin_url" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true
  fi
  [ "$own_pg" = 1 ] && intake_stop_postgres "$work/pg"
  rm -rf "$work"
  exit $rc
}
trap cleanup EXIT INT TERM

psql="$(intake_pg_bindir)/psql"
[ -x "$psql" ] || psql=$(command -v psql)
if [ -z "${DATABASE_URL:-}" ]; then
  intake_ensure_dependencies
  intake_start_postgres "$work/pg" "$(intake_free_port)"
  own_pg=1
fi
admin_url=$DATABASE_URL
"$psql" "$admin_url" -qc "CREATE DATABASE $db" >/dev/null
db_url=$(python3 -c 'import sys, urllib.parse as u
url, db = sys.argv[1], sys.argv[2]
if "://" in url:
    p = u.urlsplit(url); print(u.urlunsplit(p._replace(path="/" + db)))
else:
    print(url + " dbname=" + db)' "$admin_url" "$db")

for product in intake-receiver intake-inbox-worker intakectl; do
  intake_log "release build: $product"
  swift build -c release --product "$product" >/dev/null
done
bin=$(swift build -c release --show-bin-path)

"$bin/intakectl" migrate --database-url "$db_url" >/dev/null 2>&1
port=$(intake_free_port)
admin_port=$(intake_free_port)
cat >"$work/intake.yaml" <<YAML
database:
  url: "$db_url"
receiver:
  listen: 127.0.0.1:$port
  admin_listen: 127.0.0.1:$admin_port
sources:
  drupal:
    verify: { type: api-key, header: X-API-Key }
    handler: drupal.module_sync
    max_body_bytes: 4194304
workers:
  concurrency: 1
  batch: 1
  poll_interval_ms: 20
  metrics_listen: 127.0.0.1:0
YAML
export INTAKE_LOG_LEVEL=warning
"$bin/intake-receiver" --config "$work/intake.yaml" >"$work/receiver.log" 2>&1 &
pids+=($!)
"$bin/intake-inbox-worker" --config "$work/intake.yaml" >"$work/worker.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 100); do
  curl -fsS -o /dev/null "http://127.0.0.1:$admin_port/healthz" 2>/dev/null && break
  sleep 0.1
done

new_site() { "$bin/intakectl" sites add "$1" --json --database-url "$db_url" | python3 -c 'import json,sys; print(json.load(sys.stdin)["api_key"])'; }

ceiling=$("$psql" "$db_url" -qAt <<'SQL' | python3 -c '
import re, statistics, sys
times = [float(m) for m in re.findall(r"Time: ([0-9.]+) ms", sys.stdin.read())]
print("%.1f" % statistics.median(times[1:]))'
CREATE TABLE bench_ceiling (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, machine_name text UNIQUE,
  name text, version text, enabled boolean, dependencies jsonb);
\timing on
INSERT INTO bench_ceiling (machine_name, name, version, enabled, dependencies) SELECT 'w_' || g, 'W ' || g, '8.x-1.0', true, '["system"]' FROM generate_series(1, 2000) g;
TRUNCATE bench_ceiling;
INSERT INTO bench_ceiling (machine_name, name, version, enabled, dependencies) SELECT 'a_' || g, 'A ' || g, '8.x-1.0', true, '["system"]' FROM generate_series(1, 2000) g;
TRUNCATE bench_ceiling;
INSERT INTO bench_ceiling (machine_name, name, version, enabled, dependencies) SELECT 'b_' || g, 'B ' || g, '8.x-1.0', true, '["system"]' FROM generate_series(1, 2000) g;
TRUNCATE bench_ceiling;
INSERT INTO bench_ceiling (machine_name, name, version, enabled, dependencies) SELECT 'c_' || g, 'C ' || g, '8.x-1.0', true, '["system"]' FROM generate_series(1, 2000) g;
TRUNCATE bench_ceiling;
INSERT INTO bench_ceiling (machine_name, name, version, enabled, dependencies) SELECT 'd_' || g, 'D ' || g, '8.x-1.0', true, '["system"]' FROM generate_series(1, 2000) g;
TRUNCATE bench_ceiling;
INSERT INTO bench_ceiling (machine_name, name, version, enabled, dependencies) SELECT 'e_' || g, 'E ' || g, '8.x-1.0', true, '["system"]' FROM generate_series(1, 2000) g;
SQL
)

keys="$work/keys"
: >"$keys"
for i in $(seq 1 "$runs"); do echo "cold $(new_site "cold-$i")" >>"$keys"; done
for i in $(seq 1 "$runs"); do echo "new-site $(new_site "new-site-$i")" >>"$keys"; done
echo "steady $(new_site steady)" >>"$keys"

intake_log "posting 2,000-module syncs ($runs per case)"
python3 - "$port" "$runs" "$keys" "$ceiling" <<'PY'
import json, statistics, sys, time, urllib.request
from datetime import datetime, timedelta, timezone

port, runs, keys_path, ceiling = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
keys = {}
for line in open(keys_path):
    case, key = line.split()
    keys.setdefault(case, []).append(key)
base = "http://127.0.0.1:%d" % port
clock = datetime.now(timezone.utc) - timedelta(hours=6)

def body(prefix, version):
    global clock
    clock += timedelta(seconds=1)
    modules = [{
        "machine_name": "%s_%04d" % (prefix, i), "name": "Module %d" % i, "type": "contrib",
        "version": version, "status": i % 7 != 0, "schema_version": 8000 + i % 50, "package": "Bench",
        "core_compatibility": ["9.x", "10.x"], "dependencies": ["system", "user"],
        "description": "Benchmark module number %d." % i,
        "project_link": "https://www.drupal.org/project/%s_%04d" % (prefix, i)} for i in range(2000)]
    return json.dumps({"site_info": {"name": "bench"}, "modules": modules,
                       "sync_timestamp": clock.strftime("%Y-%m-%dT%H:%M:%SZ"), "drupal_version": "10.2.3",
                       "php_version": "8.2.15", "sync_type": "full"}).encode()

def sync(key, payload):
    request = urllib.request.Request(base + "/webhooks/drupal", data=payload, method="POST",
                                     headers={"Content-Type": "application/json", "X-API-Key": key})
    with urllib.request.urlopen(request) as answer:
        delivery = json.load(answer)["delivery_id"]
    deadline = time.time() + 60
    while time.time() < deadline:
        status = urllib.request.Request(base + "/deliveries/%d" % delivery, headers={"X-API-Key": key})
        with urllib.request.urlopen(status) as answer:
            state = json.load(answer)
        if state["status"] in ("succeeded", "dead"):
            result = state["result"]
            if state["status"] != "succeeded":
                sys.exit("sync failed: %s" % state.get("last_error"))
            return result
        time.sleep(0.02)
    sys.exit("delivery %d did not finish within 60 s" % delivery)

cases = []
def run(name, expectation, payloads):
    times = []
    for key, payload in payloads:
        result = sync(key, payload)
        for field, value in expectation.items():
            if result[field] != value:
                sys.exit("%s: %s was %s, expected %s" % (name, field, result[field], value))
        times.append(result["processing_time_us"] / 1000.0)
    cases.append((name, expectation, times))

run("cold", {"new_modules": 2000}, [(key, body("cold%d" % i, "8.x-1.0")) for i, key in enumerate(keys["cold"])])
steady = keys["steady"][0]
sync(steady, body("shared", "8.x-1.0"))  # puts the shared modules in the catalogue
run("new-site", {"new_modules": 2000}, [(key, body("shared", "8.x-1.0")) for key in keys["new-site"]])
run("all-updated", {"updated_modules": 2000},
    [(steady, body("shared", "8.x-1.%d" % (i + 1))) for i in range(runs)])
last = "8.x-1.%d" % runs
run("unchanged", {"new_modules": 0, "updated_modules": 0, "removed_modules": 0},
    [(steady, body("shared", last)) for _ in range(runs)])

print()
print("drupal.module_sync, 2,000-module full sync: handler time (ms), %d runs per case" % runs)
print("%-12s %8s %8s %8s   %s" % ("case", "median", "min", "max", "target ≤ 100 ms"))
for name, _, times in cases:
    median = statistics.median(times)
    print("%-12s %8.1f %8.1f %8.1f   %s" % (name, median, min(times), max(times), "ok" if median <= 100 else "MISSED"))
print("%-12s %8s %8s %8s   psql: one INSERT of 2,000 rows into an indexed table (median)" % ("ceiling", ceiling, "", ""))
PY
