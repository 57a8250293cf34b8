#!/usr/bin/env bash
# Run N replicas of any service against the local RabbitMQ and PostgreSQL, and stop them again.
#
#   deploy/run-local.sh up [--least-privilege] [--no-wait] [SERVICE[=N] ...]   (default: all five, one each)
#   deploy/run-local.sh status
#   deploy/run-local.sh down
#
# Replica i of a service listens on its base port + i*100: intake 8001, 8101, 8201…; the base port is
# YICI_<SERVICE>_PORT (default 8001-8005, deploy/config/distributed.yaml). YICI_AMQP_URI and
# YICI_DATABASE_URL are passed through. --least-privilege loads the broker users (rabbitmqctl, as root)
# with generated passwords under $YICI_RUN_DIR/secrets and runs each service as its own user
# (YICI_BROKER_VHOST, YICI_BROKER_USER_PREFIX choose the vhost and prefix the user names).
# State (pid files, logs): $YICI_RUN_DIR, default var/run-local.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
RUN_DIR="${YICI_RUN_DIR:-$ROOT/var/run-local}"
SERVICES=(intake routing approval delivery oversight)
declare -A DEFAULT_PORT=([intake]=8001 [routing]=8002 [approval]=8003 [delivery]=8004 [oversight]=8005)
if [ -x "$ROOT/.venv/bin/yici" ]; then export PATH="$ROOT/.venv/bin:$PATH"; fi
PYTHON="$(command -v python3.11 || command -v python3)"
if [ -x "$ROOT/.venv/bin/python" ]; then PYTHON="$ROOT/.venv/bin/python"; fi

die() { echo "run-local: $*" >&2; exit 1; }
base_port() { local var="YICI_${1^^}_PORT"; echo "${!var:-${DEFAULT_PORT[$1]}}"; }
port_of() { echo $(( $(base_port "$1") + $2 * 100 )); }
port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

wait_ready() {  # port timeout pidfile
  "$PYTHON" - "$1" "$2" "$3" <<'PY'
import os, sys, time, urllib.request
port, deadline, pidfile = sys.argv[1], time.monotonic() + float(sys.argv[2]), sys.argv[3]
while time.monotonic() < deadline:
    try:
        os.kill(int(open(pidfile).read()), 0)
    except (OSError, ValueError):
        sys.exit(f"run-local: the replica on port {port} exited; see its log")
    try:
        urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=2)
        sys.exit(0)
    except Exception:
        time.sleep(0.3)
sys.exit(f"run-local: nothing ready on port {port} in time")
PY
}

load_users() {
  mkdir -p "$RUN_DIR/secrets" && chmod 700 "$RUN_DIR/secrets"
  yici topology load --with-users --generate-passwords --secrets-dir "$RUN_DIR/secrets" \
    --vhost "${YICI_BROKER_VHOST:-/}" --user-prefix "${YICI_BROKER_USER_PREFIX:-}"
  export YICI_BROKER_SECRETS="$RUN_DIR/secrets" YICI_BROKER_HOST=127.0.0.1
}

# One staff-session key pair for all replicas (oversight signs, every service verifies), kept in $RUN_DIR
# unless YICI_STAFF_SIGNING_KEY / YICI_STAFF_PUBLIC_KEY are given.
staff_keys() {
  local keys="$RUN_DIR/staff-keys.env"
  if [ -z "${YICI_STAFF_SIGNING_KEY:-}" ] || [ -z "${YICI_STAFF_PUBLIC_KEY:-}" ]; then
    if [ ! -f "$keys" ]; then
      (umask 077 && yici secrets staff-keypair --env >"$keys") || die "could not make the staff key pair"
    fi
    set -a; source "$keys"; set +a
  fi
}

start_replica() {  # service index
  local service=$1 index=$2 port pidfile log
  port=$(port_of "$service" "$index")
  pidfile="$RUN_DIR/$service-$index.pid"; log="$RUN_DIR/$service-$index.log"
  if alive "$pidfile"; then echo "$service #$index already running (port $port)"; return; fi
  if port_busy "$port"; then die "port $port for $service #$index is taken"; fi
  # exec all the way down, so the recorded pid is the service's own process
  (cd "$ROOT" && exec env "YICI_${service^^}_PORT=$port" YICI_MIGRATE=0 \
     nohup sh "$ROOT/deploy/container/serve.sh" "$service" >"$log" 2>&1) &
  echo $! >"$pidfile"
  echo "$service #$index: pid $(cat "$pidfile"), http://127.0.0.1:$port, log $log"
}

up() {
  local wait=1 least=0 specs=()
  for arg in "$@"; do
    case "$arg" in
      --no-wait) wait=0 ;;
      --least-privilege) least=1 ;;
      -*) die "unknown option $arg" ;;
      *) specs+=("$arg") ;;
    esac
  done
  [ ${#specs[@]} -gt 0 ] || specs=("${SERVICES[@]}")
  mkdir -p "$RUN_DIR"
  if [ "$least" = 1 ]; then load_users; fi
  staff_keys
  local spec service count
  for spec in "${specs[@]}"; do
    service="${spec%%=*}"; count=1; [[ "$spec" == *=* ]] && count="${spec#*=}"
    [[ " ${SERVICES[*]} " == *" $service "* ]] || die "unknown service $service (${SERVICES[*]})"
    [[ "$count" =~ ^[1-9][0-9]?$ ]] || die "bad replica count in $spec"
    yici migrate "$service" >/dev/null 2>&1 || { yici migrate "$service"; die "migration of $service failed"; }
    for ((i = 0; i < count; i++)); do start_replica "$service" "$i"; done
  done
  if [ "$wait" = 1 ]; then
    for spec in "${specs[@]}"; do
      service="${spec%%=*}"; count=1; [[ "$spec" == *=* ]] && count="${spec#*=}"
      for ((i = 0; i < count; i++)); do
        wait_ready "$(port_of "$service" "$i")" 90 "$RUN_DIR/$service-$i.pid" \
          || { tail -n 20 "$RUN_DIR/$service-$i.log" >&2; exit 1; }
      done
    done
    echo "run-local: all replicas ready"
  fi
}

status() {
  shopt -s nullglob
  for pidfile in "$RUN_DIR"/*.pid; do
    name="$(basename "$pidfile" .pid)"
    if alive "$pidfile"; then echo "$name running (pid $(cat "$pidfile"))"; else echo "$name stopped"; fi
  done
}

down() {  # SIGTERM drains in-flight work; SIGKILL only after the grace period
  shopt -s nullglob
  local grace="${YICI_STOP_GRACE:-60}" pids=() pidfile
  for pidfile in "$RUN_DIR"/*.pid; do
    if alive "$pidfile"; then pids+=("$(cat "$pidfile")"); kill -TERM "$(cat "$pidfile")"; fi
  done
  local deadline=$((SECONDS + grace))
  for pid in "${pids[@]}"; do
    while kill -0 "$pid" 2>/dev/null && [ $SECONDS -lt $deadline ]; do sleep 0.2; done
    if kill -0 "$pid" 2>/dev/null; then echo "run-local: pid $pid ignored SIGTERM for ${grace}s, killing" >&2; kill -KILL "$pid"; fi
  done
  rm -f "$RUN_DIR"/*.pid
  echo "run-local: stopped ${#pids[@]} replica(s)"
}

case "${1:-}" in
  up) shift; up "$@" ;;
  status) status ;;
  down) down ;;
  *) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
