# shellcheck shell=bash
# Shared by scripts/test, scripts/run and scripts/bench: install what is missing and start
# PostgreSQL and the S3/SQS emulator (moto) on loopback. Source it; it defines functions only.

intake_log() { printf '[intake] %s\n' "$*" >&2; }

# The emulator's version, pinned so that every machine tests against the same one (the other
# pinned tools are at the top of scripts/check-deploy).
INTAKE_MOTO_VERSION=5.2.1

# Installs the system packages and the emulator when they are missing. Idempotent and quiet
# when everything is already there.
intake_ensure_dependencies() {
  local missing=()
  command -v pkg-config >/dev/null 2>&1 || missing+=(pkg-config)
  pkg-config --exists libcurl 2>/dev/null || missing+=(libcurl4-openssl-dev)
  pkg-config --exists libpq 2>/dev/null || missing+=(libpq-dev)
  pkg-config --exists openssl 2>/dev/null || missing+=(libssl-dev)
  [ -n "$(intake_pg_bindir)" ] || missing+=(postgresql postgresql-contrib)
  command -v curl >/dev/null 2>&1 || missing+=(curl)
  if [ ${#missing[@]} -gt 0 ]; then
    intake_log "installing ${missing[*]}"
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
  if ! command -v moto_server >/dev/null 2>&1; then
    intake_log "installing moto[server]"
    python3 -m pip install --quiet "moto[server]==$INTAKE_MOTO_VERSION"
  fi
}

# The directory holding initdb/pg_ctl/postgres, newest major version first.
intake_pg_bindir() {
  if [ -n "${INTAKE_PG_BINDIR:-}" ] && [ -x "$INTAKE_PG_BINDIR/pg_ctl" ]; then
    echo "$INTAKE_PG_BINDIR"; return
  fi
  local d
  # Fixed system paths without spaces; ls | sort -V orders them by version.
  # shellcheck disable=SC2012
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    [ -x "$d/pg_ctl" ] && { echo "$d"; return; }
  done
  command -v pg_ctl >/dev/null 2>&1 && dirname "$(command -v pg_ctl)"
}

intake_free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# Runs a command as the owner of the PostgreSQL data directory: PostgreSQL refuses root.
intake_as_pg() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

# intake_start_postgres DIR PORT: initialises DIR/pgdata once, starts the server on 127.0.0.1:PORT
# and exports DATABASE_URL plus INTAKE_PGCTL (a script taking start|stop|restart|freeze|thaw, for
# tests that take the database away; freeze = SIGSTOP the postmaster and every backend, so
# connections stay open and nothing answers, thaw = SIGCONT).
intake_start_postgres() {
  local dir=$1 port=$2 bindir
  bindir=$(intake_pg_bindir)
  mkdir -p "$dir"
  if [ "$(id -u)" -eq 0 ]; then chown postgres:postgres "$dir"; fi
  if [ ! -f "$dir/pgdata/PG_VERSION" ]; then
    intake_as_pg "$bindir/initdb" -D "$dir/pgdata" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
      || { cat "$dir/initdb.log" >&2; return 1; }
    cat >>"$dir/pgdata/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
unix_socket_directories = '$dir'
max_connections = 300
shared_buffers = 256MB
max_wal_size = 2GB
CONF
  fi
  cat >"$dir/pgctl" <<SCRIPT
#!/usr/bin/env bash
# start | stop | restart | freeze | thaw the PostgreSQL under $dir
cmd=\${1:?start|stop|restart|freeze|thaw}
as_pg() { if [ "\$(id -u)" -eq 0 ]; then runuser -u postgres -- "\$@"; else "\$@"; fi; }
case \$cmd in
  stop) as_pg "$bindir/pg_ctl" -D "$dir/pgdata" -m fast -w stop >/dev/null ;;
  freeze|thaw)
    sig=STOP; [ "\$cmd" = thaw ] && sig=CONT
    pid=\$(head -n 1 "$dir/pgdata/postmaster.pid") || exit 1
    # The postmaster stops first (so it forks no backend meanwhile) and resumes last.
    [ \$sig = STOP ] && kill -STOP "\$pid"
    for child in \$(ps -o pid= --ppid "\$pid"); do kill -\$sig "\$child"; done
    kill -\$sig "\$pid" ;;
  *) as_pg "$bindir/pg_ctl" -D "$dir/pgdata" -o "-p $port" -l "$dir/postgres.log" -w -t 60 \$cmd >/dev/null ;;
esac
SCRIPT
  chmod +x "$dir/pgctl"
  "$dir/pgctl" start || { tail -n 30 "$dir/postgres.log" >&2; return 1; }
  export INTAKE_PGCTL="$dir/pgctl"
  export DATABASE_URL="postgresql://postgres@127.0.0.1:$port/postgres"
  export PGHOST=127.0.0.1 PGPORT=$port PGUSER=postgres
}

intake_stop_postgres() {
  local dir=$1
  if [ -x "$dir/pgctl" ]; then "$dir/pgctl" stop 2>/dev/null || true; fi
}

# intake_start_moto DIR PORT: starts moto_server on 127.0.0.1:PORT and exports the AWS variables.
intake_start_moto() {
  local dir=$1 port=$2
  mkdir -p "$dir"
  moto_server -H 127.0.0.1 -p "$port" >"$dir/moto.log" 2>&1 &
  echo $! >"$dir/moto.pid"
  local _
  for _ in $(seq 1 100); do
    curl -fsS -o /dev/null "http://127.0.0.1:$port/moto-api/" 2>/dev/null && break
    sleep 0.1
  done
  export AWS_ENDPOINT_URL="http://127.0.0.1:$port"
  export AWS_ACCESS_KEY_ID=${AWS_ACCESS_KEY_ID:-test}
  export AWS_SECRET_ACCESS_KEY=${AWS_SECRET_ACCESS_KEY:-test}
  export AWS_REGION=${AWS_REGION:-us-east-1}
  export AWS_DEFAULT_REGION=$AWS_REGION
  INTAKE_MOTO_PID=$(cat "$dir/moto.pid")
  export INTAKE_MOTO_PID
}

intake_stop_moto() {
  local dir=$1
  if [ -f "$dir/moto.pid" ]; then
    kill "$(cat "$dir/moto.pid")" 2>/dev/null || true
    rm -f "$dir/moto.pid"
  fi
}

# LocalStack, for the tests that need what moto lacks (SQS message move tasks): localstack-core
# in host mode, without Docker, in a venv of its own (its pinned boto3/botocore would break
# moto and the awscli). The packages after it are pinned because their newer releases break
# localstack-core 4.9.2 (cbor2 6 dropped cbor2._decoder, psutil 7.1 psutil._common.snicaddr,
# pyOpenSSL 25.2+ X509.add_extensions, cryptography 46+ lib.GEN_EMAIL) and host mode needs
# service_identity, which localstack-core does not declare.
INTAKE_LOCALSTACK_VERSION=4.9.2
INTAKE_LOCALSTACK_PINS=(cbor2==5.7.0 psutil==7.0.0 pyopenssl==25.1.0 cryptography==45.0.7 service_identity==24.2.0)

# Prints the localstack executable, installing it once; prints nothing when it cannot be
# installed (no network, over 10 minutes).
intake_find_localstack() {
  local venv=${INTAKE_LOCALSTACK_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/intake/localstack-$INTAKE_LOCALSTACK_VERSION}
  if [ -x "$venv/bin/localstack" ] && [ -f "$venv/.intake-complete" ]; then echo "$venv/bin/localstack"; return; fi
  intake_log "installing localstack-core $INTAKE_LOCALSTACK_VERSION into $venv (once, up to 10 minutes)"
  rm -rf "$venv"
  mkdir -p "$(dirname "$venv")"
  if python3 -m venv "$venv" >/dev/null 2>&1 \
    && timeout 600 "$venv/bin/python" -m pip install --quiet "localstack-core[runtime]==$INTAKE_LOCALSTACK_VERSION" \
      "${INTAKE_LOCALSTACK_PINS[@]}" >"$venv.install.log" 2>&1; then
    touch "$venv/.intake-complete"
    echo "$venv/bin/localstack"
  else
    tail -n 5 "$venv.install.log" >&2
    rm -rf "$venv"
  fi
}

# intake_start_localstack DIR PORT: starts LocalStack (SQS only) on 127.0.0.1:PORT and exports
# INTAKE_LOCALSTACK_ENDPOINT. Returns non-zero, exporting nothing, when it cannot run here; the
# tests that need it are then skipped.
intake_start_localstack() {
  local dir=$1 port=$2 localstack _
  localstack=$(intake_find_localstack)
  [ -n "$localstack" ] || return 1
  mkdir -p "$dir"
  # setsid: its own process group, so that stopping it stops the runtime it spawns too.
  DNS_ADDRESS=0 GATEWAY_LISTEN="127.0.0.1:$port" SERVICES=sqs DISABLE_EVENTS=1 SKIP_SSL_CERT_DOWNLOAD=1 \
    LOCALSTACK_VOLUME_DIR="$dir/volume" setsid "$localstack" start --host >"$dir/localstack.log" 2>&1 &
  echo $! >"$dir/localstack.pid"
  for _ in $(seq 1 120); do
    if curl -fsS -o /dev/null "http://127.0.0.1:$port/_localstack/health" 2>/dev/null; then
      export INTAKE_LOCALSTACK_ENDPOINT="http://127.0.0.1:$port"
      return 0
    fi
    kill -0 "$(cat "$dir/localstack.pid")" 2>/dev/null || break
    sleep 0.5
  done
  tail -n 10 "$dir/localstack.log" >&2
  intake_stop_localstack "$dir"
  return 1
}

intake_stop_localstack() {
  local dir=$1
  if [ -f "$dir/localstack.pid" ]; then
    kill -- "-$(cat "$dir/localstack.pid")" 2>/dev/null || true
    rm -f "$dir/localstack.pid"
  fi
}
