#!/usr/bin/env bash
# Start the local RabbitMQ and PostgreSQL when they are not running, and wait until both answer.
# Fails (exit 1) when either cannot be started: tests that need them must fail, not skip.
set -u

rabbit_up() { (exec 3<>/dev/tcp/127.0.0.1/5672) 2>/dev/null; }
postgres_up() { pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; }

if ! rabbit_up; then
  echo "ensure-services: starting RabbitMQ"
  command -v rabbitmq-server >/dev/null || { echo "ensure-services: rabbitmq-server is not installed" >&2; exit 1; }
  rabbitmq-server -detached >/dev/null 2>&1 || true
fi
if ! postgres_up; then
  echo "ensure-services: starting PostgreSQL"
  command -v pg_ctlcluster >/dev/null || { echo "ensure-services: PostgreSQL is not installed" >&2; exit 1; }
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
fi
for _ in $(seq 1 90); do
  if rabbit_up && postgres_up && rabbitmqctl -q status >/dev/null 2>&1; then
    echo "ensure-services: RabbitMQ and PostgreSQL are up"
    exit 0
  fi
  sleep 1
done
echo "ensure-services: RabbitMQ or PostgreSQL did not come up in 90 s" >&2
exit 1
