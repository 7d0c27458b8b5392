#!/usr/bin/env bash
# Local Redis for the dev stack (redis://127.0.0.1:6379), without systemd.
#   infra/redis.sh ensure   if 127.0.0.1:6379 answers, do nothing; otherwise install the Debian
#                           package if missing and start a daemonised, non-persistent redis-server
# Never stops, restarts or reconfigures a Redis that is already serving. Herald keeps only
# ephemeral data in Redis (DESIGN.md section 5), so this instance saves nothing to disk.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

HOST=127.0.0.1
PORT=6379
START_TIMEOUT="${REDIS_START_TIMEOUT:-20}"
LOG_FILE=/var/log/redis/ci.log

up() {
  if command -v redis-cli >/dev/null 2>&1; then
    [[ "$(timeout 2 redis-cli -h "$HOST" -p "$PORT" ping 2>/dev/null)" == PONG ]]
  else
    port_open "$HOST" "$PORT"
  fi
}

do_ensure() {
  local t0 i
  if up; then
    return 0
  fi
  if port_open "$HOST" "$PORT"; then
    die "$HOST:$PORT accepts connections but does not answer PING; not touching it"
  fi
  t0="$(now_ms)"
  if ! command -v redis-server >/dev/null 2>&1; then
    apt_install redis-server
    # The package's postinst may have started it with /etc/redis/redis.conf (same address/port).
    for ((i = 0; i < 10; i++)); do
      up && break
      sleep 0.5
    done
    if up; then
      log "Redis ready on $HOST:$PORT (started by the package) in $(elapsed "$t0")"
      return 0
    fi
  fi
  mkdir -p /var/lib/redis /var/log/redis
  log "starting redis-server on $HOST:$PORT (log: $LOG_FILE)"
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port "$PORT" \
    --save "" --appendonly no --dir /var/lib/redis --logfile "$LOG_FILE" >&2 ||
    die "redis-server failed to start" "$LOG_FILE"
  for ((i = 0; i < START_TIMEOUT * 2; i++)); do
    up && break
    sleep 0.5
  done
  up || die "Redis does not answer on $HOST:$PORT after ${START_TIMEOUT}s" "$LOG_FILE"
  log "Redis ready on $HOST:$PORT in $(elapsed "$t0")"
}

case "${1:-}" in
ensure) do_ensure ;;
*)
  echo "usage: $0 ensure" >&2
  exit 2
  ;;
esac
