#!/usr/bin/env bash
# Table queue: no-op jobs drained per second from 100,000 queued, by 1 and 2 notify-worker
# processes, beside PostgreSQL's own ceiling (pgbench claiming and settling batches of the same
# size, no worker); then NOTIFY commit-to-handler latency p50/p99 on an idle worker.
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/lib/services.sh
. scripts/lib/bench.sh
JOBS=${BENCH_JOBS:-100000}
BATCH=${BENCH_BATCH:-200}
LANES=${BENCH_CONCURRENCY:-4}
RUNS=${BENCH_RUNS:-3}
bench_services db
bench_build intake-notify-worker intakectl
bench_database queue

enqueue() {
  psql -q "$BENCH_DB_URL" -c "TRUNCATE intake.jobs" \
    -c "INSERT INTO intake.jobs (kind, payload) SELECT 'builtin.noop', '{}'::jsonb FROM generate_series(1, $JOBS)" \
    -c "VACUUM ANALYZE intake.jobs" >/dev/null
}
succeeded() { psql -Atq "$BENCH_DB_URL" -c "SELECT count(*) FROM intake.jobs WHERE status = 'succeeded'"; }

# PostgreSQL alone: claim a batch (one statement), settle it (a second), like a worker would.
cat >"$BENCH_DIR/claim-settle.sql" <<SQL
WITH c AS (
  UPDATE intake.jobs AS d SET status = 'processing', attempts = d.attempts + 1, locked_by = 'pgbench',
         locked_until = now() + interval '60 seconds'
  FROM (SELECT id FROM intake.jobs WHERE status = 'pending' AND run_at <= now()
        ORDER BY run_at, id LIMIT $BATCH FOR UPDATE SKIP LOCKED) AS s
  WHERE d.id = s.id RETURNING d.id)
SELECT coalesce(string_agg(id::text, ','), '0') AS ids FROM c \gset
UPDATE intake.jobs SET status = 'succeeded', finished_at = now(), locked_by = NULL, locked_until = NULL
WHERE id IN (:ids) AND locked_by = 'pgbench';
SQL

ceiling() {
  local clients=$1 start end
  enqueue
  local per_client=$(( (JOBS + BATCH * clients - 1) / (BATCH * clients) ))
  start=$(date +%s.%N)
  pgbench -n -c "$clients" -j "$clients" -t "$per_client" -f "$BENCH_DIR/claim-settle.sql" "$BENCH_DB_URL" >/dev/null 2>&1
  end=$(date +%s.%N)
  python3 -c "print(round($(succeeded) / ($end - $start)))"
}

config() {
  cat >"$BENCH_DIR/queue.yaml" <<YAML
database: { url: "$BENCH_DB_URL" }
workers: { concurrency: $LANES, batch: $BATCH, lease_seconds: 60, sweep_interval_seconds: 1, metrics_listen: "127.0.0.1:0" }
YAML
}

drain() {
  local processes=$1 start end pids=()
  enqueue
  config
  start=$(date +%s.%N)
  for _ in $(seq 1 "$processes"); do
    INTAKE_LOG_LEVEL=warning "$BENCH_BIN/intake-notify-worker" --config "$BENCH_DIR/queue.yaml" >>"$BENCH_DIR/queue-worker.log" 2>&1 &
    pids+=($!)
  done
  while [ "$(psql -Atq "$BENCH_DB_URL" -c "SELECT count(*) FROM intake.jobs WHERE status <> 'succeeded'")" != 0 ]; do
    sleep 0.05
  done
  end=$(date +%s.%N)
  kill -TERM "${pids[@]}"; wait "${pids[@]}" 2>/dev/null || true
  python3 -c "print(round($JOBS / ($end - $start)))"
}

latency() {
  config
  psql -q "$BENCH_DB_URL" -c "TRUNCATE intake.jobs" >/dev/null
  INTAKE_LOG_LEVEL=warning "$BENCH_BIN/intake-notify-worker" --config "$BENCH_DIR/queue.yaml" >>"$BENCH_DIR/queue-worker.log" 2>&1 &
  local pid=$!
  sleep 1
  # One job per commit, 20 ms apart so the worker is idle each time. The payload carries the
  # commit's clock (taken just before the commit, so the figure slightly overstates latency);
  # finished_at is set right after the handler returns.
  echo "INSERT INTO intake.jobs (kind, payload) VALUES ('builtin.noop', jsonb_build_object('t', clock_timestamp()));
\sleep 20 ms" >"$BENCH_DIR/enqueue-one.sql"
  pgbench -n -c 1 -t 300 -f "$BENCH_DIR/enqueue-one.sql" "$BENCH_DB_URL" >/dev/null 2>&1
  sleep 1
  kill -TERM "$pid"; wait "$pid" 2>/dev/null || true
  psql -Atq -F ' ' "$BENCH_DB_URL" -c "
    SELECT round((percentile_cont(0.5) WITHIN GROUP (ORDER BY ms))::numeric, 2),
           round((percentile_cont(0.99) WITHIN GROUP (ORDER BY ms))::numeric, 2), count(*)
    FROM (SELECT extract(epoch FROM finished_at - (payload->>'t')::timestamptz) * 1000 AS ms
          FROM intake.jobs WHERE status = 'succeeded') s"
}

declare -a c1 c2 w1 w2
for run in $(seq 1 "$RUNS"); do
  c1+=("$(ceiling 1)"); c2+=("$(ceiling 2)")
  w1+=("$(drain 1)"); w2+=("$(drain 2)")
  intake_log "run $run: pgbench 1 client ${c1[-1]}/s, 2 clients ${c2[-1]}/s; workers 1 ${w1[-1]}/s, 2 ${w2[-1]}/s"
done
m() { printf '%s\n' "$@" | bench_median; }
mc1=$(m "${c1[@]}"); mc2=$(m "${c2[@]}"); mw1=$(m "${w1[@]}"); mw2=$(m "${w2[@]}")
read -r p50 p99 samples <<<"$(latency)"
printf '\nTable queue: %d no-op jobs, batch %d, %d lanes per worker, median of %d runs\n' "$JOBS" "$BATCH" "$LANES" "$RUNS"
printf '%-44s %12s\n' "what" "jobs/s"
printf '%-44s %12s\n' "PostgreSQL ceiling, pgbench 1 client" "$mc1"
printf '%-44s %12s\n' "PostgreSQL ceiling, pgbench 2 clients" "$mc2"
printf '%-44s %12s  (%.0f%% of the 2-client ceiling)\n' "intake-notify-worker x1" "$mw1" "$(python3 -c "print($mw1*100/$mc2)")"
printf '%-44s %12s  (%.0f%% of the 2-client ceiling)\n' "intake-notify-worker x2" "$mw2" "$(python3 -c "print($mw2*100/$mc2)")"
printf '\nNOTIFY wake-up, commit to handler done (%s samples): p50 %s ms, p99 %s ms (target 2 / 10)\n' "$samples" "$p50" "$p99"
