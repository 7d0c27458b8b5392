#!/usr/bin/env bash
# Local Redis for the dev stack (redis://127.0.0.1:6379), without systemd.
#   infra/redis.sh ensure   if 127.0.0.1:6379 answers, do nothing; otherwise install the Debian
#                           package if missing and start a daemonised, non-persistent redis-server
#   infra/redis.sh status   one line; exit 0 if 127.0.0.1:6379 answers PING
#   infra/redis.sh stop-if-ours   shut the server down only if `ensure` started it (recorded in
#                           .run/redis.ours with the server's run_id)
# Never stops, restarts or reconfigures a Redis it did not start. Herald keeps only
# ephemeral data in Redis (DESIGN.md section 5), so this instance saves nothing to disk.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

HOST=127.0.0.1
PORT=6379
START_TIMEOUT="${REDIS_START_TIMEOUT:-20}"
LOG_FILE=/var/log/redis/ci.log
OURS="$RUN/redis.ours"

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
      record_ours
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
  record_ours
}

# run_id identifies one run of the server.
run_id() {
  timeout 2 redis-cli -h "$HOST" -p "$PORT" info server 2>/dev/null | sed -n 's/^run_id:\([0-9a-f]*\).*/\1/p'
}

record_ours() {
  mkdir -p "$RUN"
  run_id >"$OURS"
}

ours() {
  local id
  [[ -s "$OURS" ]] || return 1
  id="$(run_id)"
  [[ -n "$id" && "$id" == "$(cat "$OURS")" ]]
}

do_status() {
  if up; then
    if ours; then
      echo "redis: up $HOST:$PORT (started by infra/redis.sh)"
    else
      echo "redis: up $HOST:$PORT"
    fi
    return 0
  fi
  echo "redis: down"
  return 1
}

do_stop_if_ours() {
  local i
  if ! up; then
    rm -f "$OURS"
    return 0
  fi
  if ! ours; then
    rm -f "$OURS"
    log "Redis on $HOST:$PORT was not started by infra/redis.sh; leaving it running"
    return 0
  fi
  log "stopping Redis (started by infra/redis.sh)"
  # SHUTDOWN closes the connection, so redis-cli may report an error even when it worked.
  timeout 5 redis-cli -h "$HOST" -p "$PORT" shutdown nosave >/dev/null 2>&1 || true
  for ((i = 0; i < 20; i++)); do
    port_open "$HOST" "$PORT" || break
    sleep 0.25
  done
  port_open "$HOST" "$PORT" && die "Redis still answers on $HOST:$PORT after SHUTDOWN" "$LOG_FILE"
  rm -f "$OURS"
}

case "${1:-}" in
ensure) do_ensure ;;
status) do_status ;;
stop-if-ours) do_stop_if_ours ;;
*)
  echo "usage: $0 {ensure|status|stop-if-ours}" >&2
  exit 2
  ;;
esac
