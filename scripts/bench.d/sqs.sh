#!/usr/bin/env bash
# SQS worker benchmark (SPEC §9): the worker's own CPU time per message (builtin.noop) and per
# S3 event (event parsed, object fetched and hashed: builtin.s3.fetch), beside a boto3 loop
# doing the same against the same emulator, at the same queue depth, in the same run.
#
#   bash scripts/bench.d/sqs.sh            # uses DATABASE_URL / AWS_ENDPOINT_URL when set,
#                                          # else starts a throwaway PostgreSQL and moto
#   INTAKE_BENCH_SQS_MESSAGES=500 bash scripts/bench.d/sqs.sh
#
# Throughput on moto is not a fair figure (its SQS costs O(queue depth) per message), so the
# comparison is CPU per message: the worker's from /proc/PID/task/*/schedstat (nanoseconds,
# every thread), boto3's from time.process_time(). Messages are sent with a delay so that both
# consumers start from the same depth with every message visible at once; the worker's CPU is
# sampled from that moment until the queue is empty.
# Sourcing this file runs the benchmark in a subshell.

bench_sqs() {
  set -euo pipefail
  local root
  root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
  cd "$root"
  . scripts/lib/services.sh
  . scripts/lib/bench.sh

  local messages=${INTAKE_BENCH_SQS_MESSAGES:-300}
  local object_bytes=${INTAKE_BENCH_SQS_OBJECT_BYTES:-1024}
  local delay=${INTAKE_BENCH_SQS_DELAY_SECONDS:-6}
  # PostgreSQL and moto from the environment, else started under .bench/ and stopped on exit.
  bench_services aws
  export AWS_ACCESS_KEY_ID=${AWS_ACCESS_KEY_ID:-test} AWS_SECRET_ACCESS_KEY=${AWS_SECRET_ACCESS_KEY:-test}
  export AWS_REGION=${AWS_REGION:-us-east-1}
  python3 -c 'import boto3' 2>/dev/null || { intake_log "boto3 is needed for the baseline (pip install boto3)"; return 1; }
  # Globals, not locals: the EXIT trap runs after this function has returned.
  work=$(mktemp -d "$BENCH_DIR/sqs.XXXXXX")
  worker_pid=""
  bench_sqs_cleanup() {
    if [ -n "$worker_pid" ] && kill -0 "$worker_pid" 2>/dev/null; then kill -TERM "$worker_pid" 2>/dev/null || true; fi
    rm -rf "$work"
    bench_cleanup
  }
  trap bench_sqs_cleanup EXIT

  bench_build intake-sqs-worker intakectl
  local bin=$BENCH_BIN
  # A database of its own (intake_bench_sqs), so the benchmark never touches anyone's data.
  bench_database sqs
  local db_url=$BENCH_DB_URL

  cat >"$work/helper.py" <<'PY'
import hashlib, json, os, sys, time, uuid
import boto3
from botocore.config import Config

endpoint = os.environ["AWS_ENDPOINT_URL"]
cfg = Config(retries={"max_attempts": 3}, s3={"addressing_style": "path"})
sqs = boto3.client("sqs", endpoint_url=endpoint, config=cfg)
s3 = boto3.client("s3", endpoint_url=endpoint, config=cfg)

def event(bucket, key, size):
    return json.dumps({"Records": [{
        "eventVersion": "2.1", "eventSource": "aws:s3", "awsRegion": "us-east-1",
        "eventTime": "2026-01-01T00:00:00.000Z", "eventName": "ObjectCreated:Put",
        "s3": {"s3SchemaVersion": "1.0", "bucket": {"name": bucket, "arn": "arn:aws:s3:::" + bucket},
               "object": {"key": key, "size": size, "eTag": "0123456789abcdef0123456789abcdef"}}}]})

def prepare(name, count, delay, bucket, size):
    """Creates the queue (and objects), sends `count` delayed events; prints URL and visible-at."""
    url = sqs.create_queue(QueueName=name, Attributes={"VisibilityTimeout": "60"})["QueueUrl"]
    if bucket:
        s3.create_bucket(Bucket=bucket)
        body = os.urandom(size)
        existing = s3.list_objects_v2(Bucket=bucket, Prefix="bench/").get("KeyCount", 0)
        for i in range(existing, count):
            s3.put_object(Bucket=bucket, Key="bench/%05d.bin" % i, Body=body)
    print(url, flush=True)

def send(url, count, delay, bucket, size):
    started = time.time()
    for start in range(0, count, 10):
        entries = [{"Id": str(i), "MessageBody": event(bucket or "bench", "bench/%05d.bin" % i, size),
                    "DelaySeconds": delay} for i in range(start, min(start + 10, count))]
        sqs.send_message_batch(QueueUrl=url, Entries=entries)
    sent = time.time()
    if sent - started > delay - 1:
        sys.exit("sending took %.1f s, longer than the delay: raise INTAKE_BENCH_SQS_DELAY_SECONDS" % (sent - started))
    print("%.6f" % (sent + delay + 0.05), flush=True)

def counts(url):
    a = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=[
        "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible", "ApproximateNumberOfMessagesDelayed"])["Attributes"]
    return int(a["ApproximateNumberOfMessages"]), int(a["ApproximateNumberOfMessagesNotVisible"]), int(a["ApproximateNumberOfMessagesDelayed"])

def wait_empty(url, count, timeout):
    """Prints when the consumer was first seen at work (a message in flight or gone) and when
    the queue became empty: the worker's long poll may straddle the moment the messages became
    visible, which is not its throughput."""
    deadline, started = time.time() + timeout, None
    while time.time() < deadline:
        visible, in_flight, delayed = counts(url)
        now = time.time()
        if started is None and (in_flight > 0 or visible + delayed < count):
            started = now
        if visible + in_flight + delayed == 0:
            print("%.6f %.6f" % (started or now, now), flush=True)
            return
        time.sleep(0.05)
    sys.exit("the queue did not drain within %d s" % timeout)

def consume(url, count, mode, visible_at):
    """The boto3 baseline: receive 10, (fetch each object), delete the batch."""
    time.sleep(max(0.0, visible_at - time.time()))
    cpu, wall, done = time.process_time(), time.time(), 0
    while done < count:
        messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1,
                                       AttributeNames=["ApproximateReceiveCount"]).get("Messages", [])
        if not messages:
            continue
        for m in messages:
            record = json.loads(m["Body"])["Records"][0]["s3"]
            if mode == "fetch":
                digest = hashlib.sha256()
                body = s3.get_object(Bucket=record["bucket"]["name"], Key=record["object"]["key"])["Body"]
                for chunk in iter(lambda: body.read(65536), b""):
                    digest.update(chunk)
        sqs.delete_message_batch(QueueUrl=url, Entries=[
            {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(messages)])
        done += len(messages)
    print("%.6f %.6f %d" % (time.process_time() - cpu, time.time() - wall, done), flush=True)

def delete(url):
    sqs.delete_queue(QueueUrl=url)

command, args = sys.argv[1], sys.argv[2:]
if command == "prepare": prepare(args[0], int(args[1]), int(args[2]), args[3] or None, int(args[4]))
elif command == "send": send(args[0], int(args[1]), int(args[2]), args[3] or None, int(args[4]))
elif command == "wait_empty": wait_empty(args[0], int(args[1]), int(args[2]))
elif command == "consume": consume(args[0], int(args[1]), args[2], float(args[3]))
elif command == "delete": delete(args[0])
PY

  # Nanoseconds of CPU used so far by every thread of a process.
  cpu_ns() { cat /proc/"$1"/task/*/schedstat 2>/dev/null | awk '{ s += $1 } END { printf "%d\n", s }'; }
  sleep_until() { python3 -c "import time,sys; time.sleep(max(0.0, float(sys.argv[1]) - time.time()))" "$1"; }

  local results="$work/results"
  : >"$results"

  # bench_worker LABEL HANDLER BUCKET
  bench_worker() {
    local label=$1 handler=$2 bucket=$3
    local queue port visible_at started_at empty_at cpu0 cpu1
    queue=$(python3 "$work/helper.py" prepare "intake-bench-w-$$-$RANDOM" "$messages" "$delay" "$bucket" "$object_bytes")
    port=$(intake_free_port)
    cat >"$work/worker.yaml" <<YAML
database:
  url: "$db_url"
sqs:
  queue_url: "$queue"
  wait_seconds: 1
  max_messages: 10
  visibility_seconds: 60
routes:
  - { bucket: "*", key: "bench/*", handler: $handler }
workers:
  concurrency: 10
  shutdown_grace_seconds: 10
  metrics_listen: 127.0.0.1:$port
YAML
    INTAKE_LOG_LEVEL=warning "$bin/intake-sqs-worker" --config "$work/worker.yaml" >"$work/worker-$label.log" 2>&1 &
    worker_pid=$!
    local _
    for _ in $(seq 1 200); do
      curl -fsS -o /dev/null "http://127.0.0.1:$port/readyz" 2>/dev/null && break
      sleep 0.05
    done
    visible_at=$(python3 "$work/helper.py" send "$queue" "$messages" "$delay" "$bucket" "$object_bytes")
    sleep_until "$visible_at"
    cpu0=$(cpu_ns "$worker_pid")
    read -r started_at empty_at < <(python3 "$work/helper.py" wait_empty "$queue" "$messages" 600)
    cpu1=$(cpu_ns "$worker_pid")
    kill -TERM "$worker_pid"
    wait "$worker_pid" || { intake_log "worker exited with $?"; tail -20 "$work/worker-$label.log" >&2; }
    worker_pid=""
    python3 "$work/helper.py" delete "$queue"
    echo "$label intake-sqs-worker $messages $(python3 -c "print('%.6f' % (float('$empty_at') - float('$started_at')))") $((cpu1 - cpu0))" >>"$results"
  }

  # bench_boto3 LABEL MODE BUCKET
  bench_boto3() {
    local label=$1 mode=$2 bucket=$3
    local queue visible_at cpu wall count
    queue=$(python3 "$work/helper.py" prepare "intake-bench-b-$$-$RANDOM" "$messages" "$delay" "$bucket" "$object_bytes")
    visible_at=$(python3 "$work/helper.py" send "$queue" "$messages" "$delay" "$bucket" "$object_bytes")
    read -r cpu wall count < <(python3 "$work/helper.py" consume "$queue" "$messages" "$mode" "$visible_at")
    python3 "$work/helper.py" delete "$queue"
    echo "$label boto3-loop $count $wall $(python3 -c "print(int(float('$cpu') * 1e9))")" >>"$results"
  }

  intake_log "no-op messages: worker, then boto3 ($messages each)"
  bench_worker noop builtin.noop ""
  bench_boto3 noop noop ""
  local bucket="intake-bench-sqs-$$"
  intake_log "S3 events with GetObject of $object_bytes-byte objects: worker, then boto3"
  bench_worker s3-event builtin.s3.fetch "$bucket"
  bench_boto3 s3-event fetch "$bucket"

  python3 - "$results" "$messages" <<'PY'
import sys
rows = [line.split() for line in open(sys.argv[1]) if line.strip()]
print()
print("SQS worker, CPU per message against moto (%s messages per run, same depth, same run)" % sys.argv[2])
header = ("case", "consumer", "msgs", "wall s", "msgs/s", "CPU ms", "µs CPU/msg", "vs boto3")
print("%-9s %-18s %6s %8s %8s %8s %11s %9s" % header)
per = {}
for label, who, count, wall, ns in rows:
    per[(label, who)] = int(ns) / 1000 / int(count)
for label, who, count, wall, ns in rows:
    us = per[(label, who)]
    base = per.get((label, "boto3-loop"))
    ratio = "%.3f" % (us / base) if base and who != "boto3-loop" else "1"
    print("%-9s %-18s %6s %8.2f %8.1f %8.1f %11.1f %9s" % (
        label, who, count, float(wall), int(count) / float(wall), int(ns) / 1e6, us, ratio))
print("\ntarget: the worker's CPU per message at most 1/10 of boto3's (ratio <= 0.100)")
PY
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
  bench_sqs "$@"
else
  ( bench_sqs "$@" )
fi
