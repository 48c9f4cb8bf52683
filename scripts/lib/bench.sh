# shellcheck shell=bash
# Shared by scripts/bench.d/*: services and a release build. Source after services.sh.

# Uses DATABASE_URL / AWS_ENDPOINT_URL when set; otherwise starts PostgreSQL and moto under
# .bench/ (stopped on exit). Sets BENCH_DIR. `bench_services aws` also starts the emulator,
# `bench_services db` only PostgreSQL.
bench_services() {
  BENCH_DIR=${BENCH_DIR:-$(pwd)/.bench}
  mkdir -p "$BENCH_DIR"
  intake_ensure_dependencies
  if [ -z "${DATABASE_URL:-}" ]; then
    intake_start_postgres "$BENCH_DIR/pg" "$(intake_free_port)"
    BENCH_STARTED_PG=1
  fi
  if [ "${1:-}" = "aws" ] && [ -z "${AWS_ENDPOINT_URL:-}" ]; then
    intake_start_moto "$BENCH_DIR/moto" "$(intake_free_port)"
    BENCH_STARTED_MOTO=1
  fi
  trap bench_cleanup EXIT
}

bench_cleanup() {
  [ -n "${BENCH_STARTED_MOTO:-}" ] && intake_stop_moto "$BENCH_DIR/moto"
  [ -n "${BENCH_STARTED_PG:-}" ] && intake_stop_postgres "$BENCH_DIR/pg"
  return 0
}

# bench_build PRODUCT... : release builds of the named executables.
bench_build() {
  local product
  for product in "$@"; do
    intake_log "release build: $product"
    swift build -c release --product "$product" >/dev/null
  done
  BENCH_BIN=$(swift build -c release --show-bin-path)
}

# A fresh migrated database; prints its name and exports BENCH_DB_URL.
bench_database() {
  local name="intake_bench_$1"
  psql -q "$DATABASE_URL" -c "DROP DATABASE IF EXISTS $name WITH (FORCE)" -c "CREATE DATABASE $name" >/dev/null
  BENCH_DB_URL=$(python3 -c 'import sys,urllib.parse as u; p=u.urlparse(sys.argv[1]); print(p._replace(path="/"+sys.argv[2]).geturl())' "$DATABASE_URL" "$name")
  "$BENCH_BIN/intakectl" migrate --database-url "$BENCH_DB_URL" >/dev/null 2>&1
}

# median of numbers on stdin
bench_median() { sort -g | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }
