#!/bin/sh
# Start one service in a container or a local process: broker URI from the user's secret, migrate, serve.
#   YICI_BROKER_SECRETS  a directory with one password file per broker user (compose: a shared volume);
#                        unset: YICI_AMQP_URI is used as given
#   YICI_BROKER_HOST     the broker's host name (default rabbitmq), YICI_BROKER_VHOST (default /),
#                        YICI_BROKER_USER_PREFIX (default none: the user is yici-<service>); with per-service
#                        users the consumers verify each event's sender (YICI_VERIFY_PUBLISHERS, default true)
#   YICI_MIGRATE=0       skip `yici migrate` (run-local.sh migrates once before starting the replicas)
set -eu
service="${1:?usage: serve.sh <service>}"
if [ -n "${YICI_BROKER_SECRETS:-}" ]; then
  YICI_AMQP_URI="$(yici topology uri "${YICI_BROKER_USER_PREFIX:-}yici-$service" --host "${YICI_BROKER_HOST:-rabbitmq}" \
    --port "${YICI_BROKER_PORT:-5672}" --vhost "${YICI_BROKER_VHOST:-/}" --secrets-dir "$YICI_BROKER_SECRETS")"
  YICI_VERIFY_PUBLISHERS="${YICI_VERIFY_PUBLISHERS:-true}"
  export YICI_AMQP_URI YICI_VERIFY_PUBLISHERS
fi
if [ "${YICI_MIGRATE:-1}" != 0 ]; then
  yici migrate "$service"
fi
exec yici serve "$service"
