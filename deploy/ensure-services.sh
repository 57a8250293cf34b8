#!/usr/bin/env bash
# Install (when missing), set up and start the local RabbitMQ and PostgreSQL, and wait until both answer.
# A fast no-op when both are installed and running. Debian's rabbitmq-server and postgresql are installed with
# apt_install, their maintainer scripts kept from starting daemons; a PostgreSQL cluster is created when there
# is none, and one set up here gets trust auth on 127.0.0.1 (the tests connect as postgres without a password).
# The fault tests run clusters of their own with initdb and pg_ctl, which Debian keeps off PATH: they must exist.
# Fails (exit 1) when either cannot be installed or started: tests that need them must fail, not skip.
set -u
source "$(dirname "${BASH_SOURCE[0]}")/apt-install.sh"
PATH="$PATH:/usr/sbin:/sbin"
FRESH_POSTGRES=""
FRESH_RABBIT=""

rabbit_up() { (exec 3<>/dev/tcp/127.0.0.1/5672) 2>/dev/null; }
postgres_up() { pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; }
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
fail() { echo "ensure-services: $*" >&2; exit 1; }

# Where initdb and pg_ctl live: `pg_config --bindir`, else the newest /usr/lib/postgresql/<version>/bin.
pg_server_bindir() {
  local dir
  for dir in "$(pg_config --bindir 2>/dev/null)" $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    if [ -n "$dir" ] && [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ]; then
      echo "$dir"
      return 0
    fi
  done
  return 1
}

install_missing() {
  local missing=()
  if ! command -v rabbitmq-server >/dev/null; then
    missing+=(rabbitmq-server)
    FRESH_RABBIT=1
  fi
  if ! command -v pg_ctlcluster >/dev/null || ! pg_server_bindir >/dev/null; then
    missing+=(postgresql)
    FRESH_POSTGRES=1
  fi
  [ ${#missing[@]} -eq 0 ] && return 0
  APT_QUIET_DAEMONS=1 apt_install ensure-services "${missing[@]}" || exit 1
  command -v rabbitmq-server >/dev/null || fail "rabbitmq-server is still missing"
  pg_server_bindir >/dev/null || fail "initdb and pg_ctl are still missing (looked in pg_config --bindir and /usr/lib/postgresql/*/bin)"
}

# Debian's postgresql creates a cluster on install, unless createcluster.conf says not to (or it failed).
ensure_cluster() {
  [ -n "$(ls /etc/postgresql 2>/dev/null)" ] && return 0
  local version
  version=$(basename "$(dirname "$(pg_server_bindir)")")
  echo "ensure-services: creating the PostgreSQL cluster $version/main"
  as_root pg_createcluster "$version" main >/dev/null || fail "pg_createcluster $version main failed"
  FRESH_POSTGRES=1
}

# A broker installed here listens on loopback only, as the node rabbit@localhost (as the test machines do).
loopback_rabbit() {
  local dir=/etc/rabbitmq
  [ -n "$FRESH_RABBIT" ] || return 0
  as_root mkdir -p "$dir"
  grep -qs '^listeners\.tcp' "$dir/rabbitmq.conf" ||
    echo 'listeners.tcp.local = 127.0.0.1:5672' | as_root tee -a "$dir/rabbitmq.conf" >/dev/null
  grep -qs '^NODENAME=' "$dir/rabbitmq-env.conf" ||
    printf '%s\n' 'NODENAME=rabbit@localhost' 'ERL_EPMD_ADDRESS=127.0.0.1' \
      'export ERL_FLAGS="-kernel inet_dist_use_interface {127,0,0,1}"' | as_root tee -a "$dir/rabbitmq-env.conf" >/dev/null
}

# Only a cluster set up by this script is changed: an existing one keeps its owner's authentication.
trust_loopback() {
  local hba
  hba="/etc/postgresql/$(ls /etc/postgresql | head -n1)/main/pg_hba.conf"
  [ -n "$FRESH_POSTGRES" ] || return 0
  grep -Eq '^host[[:space:]]+all[[:space:]]+all[[:space:]]+127\.0\.0\.1/32[[:space:]]+trust' "$hba" && return 0
  echo "ensure-services: trust auth on 127.0.0.1 for local tests in $hba"
  as_root sed -i '1i host all all 127.0.0.1/32 trust  # deploy/ensure-services.sh: local tests' "$hba" ||
    fail "cannot edit $hba"
  postgres_up && as_root pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main reload
}

start_services() {
  if ! rabbit_up; then
    echo "ensure-services: starting RabbitMQ"
    rabbitmq-server -detached >/dev/null 2>&1 || true
  fi
  if ! postgres_up; then
    echo "ensure-services: starting PostgreSQL"
    as_root pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
  fi
}

wait_until_up() {
  for _ in $(seq 1 90); do
    if rabbit_up && postgres_up && rabbitmqctl -q status >/dev/null 2>&1; then
      return 0
    fi
    sleep 1
  done
  fail "RabbitMQ or PostgreSQL did not come up in 90 s"
}

main() {
  install_missing
  loopback_rabbit
  ensure_cluster
  trust_loopback
  start_services
  wait_until_up
  psql -h 127.0.0.1 -U postgres -w -Atqc 'SELECT 1' >/dev/null 2>&1 ||
    fail "PostgreSQL on 127.0.0.1 refuses the user postgres without a password; the tests need
  'host all all 127.0.0.1/32 trust' in pg_hba.conf (or PGPASSWORD / ~/.pgpass)"
  echo "ensure-services: RabbitMQ and PostgreSQL are up (server binaries in $(pg_server_bindir))"
}

[ "${BASH_SOURCE[0]}" = "$0" ] && main
