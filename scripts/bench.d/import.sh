#!/usr/bin/env bash
# SPEC §9 CSV import benchmark: validated claims rows per second from the S3 emulator into
# PostgreSQL through csv.pharmacy_claims, beside psql's \copy of the same file into a table of
# the same definition, and the worker's peak RSS.
#
#   scripts/bench.d/import.sh            1,000,000 rows (INTAKE_BENCH_IMPORT_ROWS to change)
#
# Uses DATABASE_URL / AWS_ENDPOINT_URL when set; otherwise starts a throwaway PostgreSQL and
# moto in a temp folder and stops them afterwards. The import runs in a release build of
# intake-notify-worker, started by an s3.reprocess job (as `intakectl reprocess` would); the
# time is from enqueue to the job's completion.
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/lib/services.sh

rows=${INTAKE_BENCH_IMPORT_ROWS:-1000000}
work=$(mktemp -d "${TMPDIR:-/tmp}/intake-bench-import.XXXXXX")
chmod 755 "$work"
started_pg="" started_moto="" worker_pid="" dbname=""

cleanup() {
  local rc=$?
  if [ -n "$worker_pid" ]; then kill "$worker_pid" 2>/dev/null || true; fi
  if [ -n "$dbname" ] && [ -z "$started_pg" ]; then
    psql "$DATABASE_URL" -qAt -c "DROP DATABASE IF EXISTS $dbname WITH (FORCE)" >/dev/null 2>&1 || true
  fi
  [ -n "$started_moto" ] && intake_stop_moto "$work/moto"
  [ -n "$started_pg" ] && intake_stop_postgres "$work/pg"
  rm -rf "$work"
  exit $rc
}
trap cleanup EXIT INT TERM

if [ -z "${DATABASE_URL:-}" ] || [ -z "${AWS_ENDPOINT_URL:-}" ]; then intake_ensure_dependencies; fi
if [ -z "${DATABASE_URL:-}" ]; then
  intake_start_postgres "$work/pg" "$(intake_free_port)"; started_pg=1
fi
if [ -z "${AWS_ENDPOINT_URL:-}" ]; then
  intake_start_moto "$work/moto" "$(intake_free_port)"; started_moto=1
fi
export AWS_ACCESS_KEY_ID=${AWS_ACCESS_KEY_ID:-test} AWS_SECRET_ACCESS_KEY=${AWS_SECRET_ACCESS_KEY:-test}
export AWS_REGION=${AWS_REGION:-us-east-1}

intake_log "building release binaries"
swift build -c release --product intake-notify-worker >/dev/null
swift build -c release --product intakectl >/dev/null
bin=$(swift build -c release --show-bin-path)

dbname="intake_bench_import_$$"
psql "$DATABASE_URL" -qAt -c "CREATE DATABASE $dbname" >/dev/null
dburl=$(python3 - "$DATABASE_URL" "$dbname" <<'PY'
import sys, urllib.parse
url, name = sys.argv[1], sys.argv[2]
if url.startswith(("postgres://", "postgresql://")):
    parts = urllib.parse.urlsplit(url)
    print(urllib.parse.urlunsplit(parts._replace(path="/" + name)))
else:
    print(f"{url} dbname={name}")
PY
)
"$bin/intakectl" migrate --database-url "$dburl" >"$work/migrate.log" 2>&1 || { cat "$work/migrate.log" >&2; exit 1; }

intake_log "generating $rows claims"
file="$work/claims.csv"
python3 - "$rows" "$file" <<'PY'
import random, sys
rows, path = int(sys.argv[1]), sys.argv[2]
rnd = random.Random(20240101)
def npi():
    base = "%09d" % rnd.randrange(100000000, 999999999)
    total = 0
    for i, ch in enumerate(reversed("80840" + base)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            if d > 9: d -= 9
        total += d
    return base + str((10 - total % 10) % 10)
npis = [npi() for _ in range(2000)]
with open(path, "w", newline="") as out:
    out.write("claim_id,patient_id,ndc,quantity,days_supply,fill_date,pharmacy_npi,prescriber_npi,"
              "ingredient_cost,dispensing_fee,copay\n")
    buf = []
    for i in range(1, rows + 1):
        buf.append("CLM%010d,PAT%08d,%011d,%d%s,%d,2023-%02d-%02d,%s,%s,%d.%02d,%d.%02d,%d.%02d\n" % (
            i, rnd.randrange(10**8), rnd.randrange(10**11), rnd.randrange(1, 180), ".5" if i % 4 == 0 else "",
            rnd.choice((7, 14, 28, 30, 90)), rnd.randrange(1, 13), rnd.randrange(1, 29), rnd.choice(npis),
            rnd.choice(npis), rnd.randrange(1, 900), rnd.randrange(100), rnd.randrange(1, 20), rnd.randrange(100),
            rnd.randrange(0, 50), rnd.randrange(100)))
        if len(buf) == 10000:
            out.write("".join(buf)); buf.clear()
    out.write("".join(buf))
PY
size=$(stat -c %s "$file")

now() { date +%s.%N; }

intake_log "\\copy baseline"
columns="claim_id, patient_id, ndc, quantity, days_supply, fill_date, pharmacy_npi, prescriber_npi, ingredient_cost, dispensing_fee, copay"
psql "$dburl" -qAt -v ON_ERROR_STOP=1 >/dev/null <<SQL
CREATE TABLE public.bench_claims (LIKE ingest.pharmacy_claims INCLUDING ALL);
ALTER TABLE public.bench_claims ALTER COLUMN import_job_id SET DEFAULT '00000000-0000-0000-0000-000000000000';
SQL
t0=$(now)
psql "$dburl" -qAt -v ON_ERROR_STOP=1 -c "\\copy public.bench_claims ($columns) FROM '$file' WITH (FORMAT csv, HEADER true)" >/dev/null
t1=$(now)
copy_seconds=$(python3 -c "print($t1 - $t0)")
copied=$(psql "$dburl" -qAt -c "SELECT count(*) FROM public.bench_claims")

intake_log "uploading to the emulator"
bucket="bench-import-$$"
curl -fsS -X PUT "$AWS_ENDPOINT_URL/$bucket" >/dev/null
curl -fsS -X PUT --data-binary @"$file" -H "Content-Type: text/csv" "$AWS_ENDPOINT_URL/$bucket/claims/bench.csv" >/dev/null

cat >"$work/intake.yaml" <<YAML
database:
  url: "$dburl"
aws:
  region: $AWS_REGION
  endpoint: "$AWS_ENDPOINT_URL"
  s3_path_style: true
routes:
  - { bucket: "*", key: "claims/*.csv", handler: csv.pharmacy_claims }
workers:
  concurrency: 1
  batch: 1
  lease_seconds: 60
  sweep_interval_seconds: 1
  metrics_listen: 127.0.0.1:0
YAML

INTAKE_LOG_LEVEL=warning "$bin/intake-notify-worker" --config "$work/intake.yaml" >"$work/worker.log" 2>&1 &
worker_pid=$!
sleep 1.5
kill -0 "$worker_pid" 2>/dev/null || { cat "$work/worker.log" >&2; exit 1; }

intake_log "importing through csv.pharmacy_claims"
t0=$(now)
job=$("$bin/intakectl" reprocess --json --database-url "$dburl" "s3://$bucket/claims/bench.csv" | python3 -c 'import json,sys; print(json.load(sys.stdin)["job_id"])')
status=""
while :; do
  status=$(psql "$dburl" -qAt -c "SELECT status FROM intake.jobs WHERE id = $job")
  case $status in succeeded|dead) break ;; esac
  kill -0 "$worker_pid" 2>/dev/null || { cat "$work/worker.log" >&2; exit 1; }
  sleep 0.05
done
t1=$(now)
import_seconds=$(python3 -c "print($t1 - $t0)")
hwm_kb=$(awk '/VmHWM/ {print $2}' "/proc/$worker_pid/status")
kill "$worker_pid"; wait "$worker_pid" 2>/dev/null || true; worker_pid=""
[ "$status" = succeeded ] || { psql "$dburl" -qAt -c "SELECT last_error FROM intake.jobs WHERE id = $job" >&2; exit 1; }
loaded=$(psql "$dburl" -qAt -c "SELECT count(*) FROM ingest.pharmacy_claims")
handler_seconds=$(psql "$dburl" -qAt -c "SELECT extract(epoch FROM completed_at - started_at) FROM intake.import_jobs")
job_status=$(psql "$dburl" -qAt -c "SELECT status FROM intake.import_jobs")

python3 - "$rows" "$size" "$copy_seconds" "$copied" "$import_seconds" "$handler_seconds" "$loaded" "$hwm_kb" "$job_status" <<'PY'
import sys
rows, size, cs, copied, ims, hs, loaded, hwm, status = sys.argv[1:]
rows, size, cs, ims, hs = int(rows), int(size), float(cs), float(ims), float(hs)
copy_rate, import_rate, handler_rate = rows / cs, rows / ims, rows / hs
copy = "\\copy"
print()
print(f"CSV import benchmark: {rows:,} claims, {size / 1e6:.1f} MB (SPEC 9: target >= 50% of {copy}, peak RSS <= 100 MB)")
print()
def line(name, seconds, rate, ratio, rss):
    print(f"{name:<46}{seconds:>9}{rate:>12}{ratio:>10}{rss:>11}")
line("run", "seconds", "rows/s", "vs " + copy, "peak RSS")
line(f"psql {copy} into a copy of ingest.pharmacy_claims", f"{cs:.2f}", f"{copy_rate:,.0f}", "1.00", "-")
line("csv.pharmacy_claims, enqueue -> job done", f"{ims:.2f}", f"{import_rate:,.0f}", f"{import_rate / copy_rate:.2f}",
     f"{int(hwm) / 1024:.1f} MB")
line("  of which the import, started -> completed", f"{hs:.2f}", f"{handler_rate:,.0f}", f"{handler_rate / copy_rate:.2f}", "")
print()
print(f"rows: {copy} {int(copied):,}, import {int(loaded):,} ({status}); worker VmHWM {hwm} kB")
PY
