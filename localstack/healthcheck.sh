#!/usr/bin/env bash
# docker-compose healthcheck for LocalStack: healthy once the READY-stage init scripts have all
# run and every one of them succeeded (a failed script must not look like a working stack).
set -euo pipefail

body=$(curl -fsS --max-time 3 http://localhost:4566/_localstack/init/ready)

if ! grep -Eq '"completed"[[:space:]]*:[[:space:]]*true' <<<"$body"; then
  echo "init scripts still running: $body"
  exit 1
fi
if grep -Eq '"state"[[:space:]]*:[[:space:]]*"(ERROR|RUNNING|UNKNOWN)"' <<<"$body"; then
  echo "an init script did not succeed (docker compose logs localstack): $body"
  exit 1
fi
if ! grep -q '10-intake-resources.sh' <<<"$body"; then
  echo "init script not found: is localstack/init/ready.d mounted and executable? $body"
  exit 1
fi
