# shellcheck shell=bash
# Herald's own processes for ./dev: the provider sandbox and the six services, each a node process
# in the background with a pid file in .run/pids and a log in .run/logs. Sourced by ./dev.

# name|entry|port
SERVICES=(
  "sandbox|packages/provider-sandbox/dist/main.js|8025"
  "ingest|services/ingest/dist/main.js|8080"
  "router|services/router/dist/main.js|8082"
  "dispatcher-email|services/dispatcher-email/dist/main.js|8083"
  "dispatcher-sms|services/dispatcher-sms/dist/main.js|8084"
  "dispatcher-push|services/dispatcher-push/dist/main.js|8085"
  "dlq|services/dlq/dist/main.js|8086"
)

svc_field() { local IFS='|'; read -r -a f <<<"$1"; printf '%s' "${f[$2]}"; }

svc_pid() { # name -> prints pid if alive
  local pidfile="$RUN/pids/$1.pid" pid
  [[ -s "$pidfile" ]] || return 1
  pid="$(cat "$pidfile")"
  kill -0 "$pid" 2>/dev/null && tr '\0' '\n' <"/proc/$pid/environ" | grep -qx "HERALD_SVC=$1" 2>/dev/null || return 1
  printf '%s' "$pid"
}

svc_start() { # spec
  local name entry port
  name="$(svc_field "$1" 0)"; entry="$(svc_field "$1" 1)"; port="$(svc_field "$1" 2)"
  if svc_pid "$name" >/dev/null; then return 0; fi
  if port_open 127.0.0.1 "$port"; then
    die "port $port (for $name) is taken by another process: stop it or change HTTP_PORT"
  fi
  mkdir -p "$RUN/pids" "$RUN/logs"
  (
    set -a; source "$ROOT/dev.env"; set +a
    cd "$ROOT"
    exec env HERALD_SVC="$name" HTTP_PORT="$port" SANDBOX_PORT="$port" HTTP_HOST=127.0.0.1 \
      setsid nohup node --enable-source-maps "$entry" >>"$RUN/logs/$name.log" 2>&1 </dev/null
  ) &
  echo $! >"$RUN/pids/$name.pid"
  log "started $name (port $port, log .run/logs/$name.log)"
}

svc_wait_ready() { # spec deadline_s
  local name port path deadline
  name="$(svc_field "$1" 0)"; port="$(svc_field "$1" 2)"
  path=/readyz; [[ "$name" == sandbox ]] && path=/healthz
  deadline=$((SECONDS + $2))
  while ((SECONDS < deadline)); do
    [[ "$(http_status "$path" "$port")" == 200 ]] && return 0
    svc_pid "$name" >/dev/null || die "$name exited during start-up" "$RUN/logs/$name.log"
    sleep 0.5
  done
  die "$name not ready on :$port$path after $2 s" "$RUN/logs/$name.log"
}

svc_stop() { # spec
  local name pid
  name="$(svc_field "$1" 0)"
  pid="$(svc_pid "$name")" || { rm -f "$RUN/pids/$name.pid"; return 0; }
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
  kill -0 "$pid" 2>/dev/null && { log "$name did not stop in 30 s, killing"; kill -KILL "$pid" 2>/dev/null || true; }
  rm -f "$RUN/pids/$name.pid"
  log "stopped $name"
}
