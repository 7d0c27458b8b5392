#!/usr/bin/env bash
# Local schema registry: Apicurio Registry with its Confluent-compatible API
# (http://127.0.0.1:8081/apis/ccompat/v7), stored durably in the local PostgreSQL
# (database herald_registry), without Docker.
#   infra/registry.sh fetch   download and unpack the distribution into .cache/apicurio-<version> (once)
#   infra/registry.sh start   ensure PostgreSQL + database, start in the background, wait until serving
#   infra/registry.sh stop    SIGTERM, SIGKILL after a deadline
#   infra/registry.sh status  one line; exit 0 if up
# Version: <apicurio.version> in infra/pom.xml. State: .run/registry (logs, pid) and the database.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

VERSION="$(pom_prop apicurio.version)"
HOST=127.0.0.1
PORT=8081
DB_NAME=herald_registry
DIST="$CACHE/apicurio-$VERSION"
RUNNER="$DIST/apicurio-registry-app-$VERSION-runner.jar"
MARKER="$DIST/.fetched"
STATE="$RUN/registry"
PIDFILE="$STATE/registry.pid"
LOGFILE="$STATE/registry.log"
READY_PATH=/apis/ccompat/v7/subjects
START_TIMEOUT="${REGISTRY_START_TIMEOUT:-90}"
STOP_TIMEOUT="${REGISTRY_STOP_TIMEOUT:-30}"
HEAP_OPTS="${REGISTRY_HEAP_OPTS:--Xms64m -Xmx384m}"
PID_PATTERN="-jar $RUNNER"

fetched() { [[ -f "$MARKER" && -f "$RUNNER" && -d "$DIST/lib" ]]; }

do_fetch() {
  if fetched; then
    return 0
  fi
  need_mvn
  local t0 tmp="$DIST.tmp" tgz="apicurio-registry-app-$VERSION-all.tar.gz"
  t0="$(now_ms)"
  log "fetching Apicurio Registry $VERSION with Maven into ${DIST#"$ROOT"/} (~110 MB on a cold ~/.m2)"
  rm -rf "$tmp"
  mkdir -p "$tmp"
  # dependency:copy + tar rather than dependency:unpack: see the plugin comment in infra/pom.xml.
  if ! mvn -B -q -f "$POM" dependency:copy \
    -Dartifact="io.apicurio:apicurio-registry-app:$VERSION:tar.gz:all" \
    -DoutputDirectory="$tmp" >"$tmp/fetch.log" 2>&1; then
    die "mvn dependency:copy of apicurio-registry-app $VERSION failed" "$tmp/fetch.log"
  fi
  [[ -f "$tmp/$tgz" ]] || die "$tgz missing after mvn dependency:copy" "$tmp/fetch.log"
  tar -xzf "$tmp/$tgz" -C "$tmp" || die "could not unpack $tgz"
  rm -f "$tmp/$tgz"
  [[ -f "$tmp/${RUNNER##*/}" && -d "$tmp/lib" ]] || die "unexpected layout in $tgz (no ${RUNNER##*/} or lib/)"
  rm -rf "$DIST"
  mv "$tmp" "$DIST"
  touch "$MARKER"
  log "fetched in $(elapsed "$t0")"
}

wait_ready() {
  local pid="$1" t0="$2" deadline code
  deadline=$((t0 + START_TIMEOUT * 1000))
  while :; do
    if ! kill -0 "$pid" 2>/dev/null; then
      rm -f "$PIDFILE"
      die "the registry exited during startup" "$LOGFILE"
    fi
    code="$(http_status "$READY_PATH" "$PORT")"
    if [[ "$code" == 200 ]]; then
      log "Apicurio Registry $VERSION ready on http://$HOST:$PORT (pid $pid) in $(elapsed "$t0")"
      return 0
    fi
    if (($(now_ms) > deadline)); then
      TAIL_LINES=30 die "registry (pid $pid) not serving GET $READY_PATH within ${START_TIMEOUT}s (last status $code); still running, see ${LOGFILE#"$ROOT"/}" "$LOGFILE"
    fi
    sleep 0.5
  done
}

do_start() {
  local pid t0 owner
  t0="$(now_ms)"
  if pid="$(pid_alive "$PIDFILE" "$PID_PATTERN")"; then
    if port_open "$HOST" "$PORT"; then
      log "already running (pid $pid) on http://$HOST:$PORT"
      return 0
    fi
    log "pid $pid is starting; waiting"
    wait_ready "$pid" "$t0"
    return 0
  fi
  rm -f "$PIDFILE"
  if port_open "$HOST" "$PORT"; then
    owner="$(port_owner "$PORT")"
    die "$HOST:$PORT is already in use${owner:+ by pid $owner} (not the registry of this repo); stop it first"
  fi
  need_java17
  do_fetch
  "$INFRA/postgres.sh" ensure 9>&-
  "$INFRA/postgres.sh" createdb "$DB_NAME" 9>&-
  mkdir -p "$STATE/tmp"
  [[ -f "$LOGFILE" ]] && mv -f "$LOGFILE" "$LOGFILE.1"
  log "starting Apicurio Registry $VERSION (storage: postgresql $DB_NAME; log: ${LOGFILE#"$ROOT"/})"
  # shellcheck disable=SC2086 # HEAP_OPTS is a list of JVM flags
  (
    cd "$STATE"
    # Storage: Apicurio's SQL storage on PostgreSQL (the default is in-memory H2).
    export APICURIO_STORAGE_KIND=sql
    export APICURIO_STORAGE_SQL_KIND=postgresql
    export APICURIO_DATASOURCE_URL="jdbc:postgresql://127.0.0.1:5432/$DB_NAME"
    export APICURIO_DATASOURCE_USERNAME=postgres
    export APICURIO_DATASOURCE_PASSWORD="${PGPASSWORD:-}"
    # Default pool is 20..100 connections; a dev machine shares PostgreSQL with every service.
    export APICURIO_DATASOURCE_JDBC_INITIAL_SIZE=2
    export APICURIO_DATASOURCE_JDBC_MIN_SIZE=2
    export APICURIO_DATASOURCE_JDBC_MAX_SIZE=10
    # Let tests and ./dev delete subjects and versions (Apicurio 3 disables deletes by default).
    export APICURIO_REST_DELETION_GROUP_ENABLED=true
    export APICURIO_REST_DELETION_ARTIFACT_ENABLED=true
    export APICURIO_REST_DELETION_ARTIFACT_VERSION_ENABLED=true
    exec setsid nohup "$(java_bin)" $HEAP_OPTS -XX:+ExitOnOutOfMemoryError \
      -Djava.io.tmpdir="$STATE/tmp" \
      -Dquarkus.http.host="$HOST" -Dquarkus.http.port="$PORT" \
      -Dquarkus.log.console.format='%d{yyyy-MM-dd HH:mm:ss,SSS} %p [%c{3.}] (%t) %m%n' \
      -jar "$RUNNER" >"$LOGFILE" 2>&1 </dev/null 9>&-
  ) &
  pid=$!
  printf '%s\n' "$pid" >"$PIDFILE"
  wait_ready "$pid" "$t0"
}

do_stop() {
  stop_pid "$PIDFILE" "$PID_PATTERN" "the registry" "$STOP_TIMEOUT"
}

do_status() {
  local pid owner
  if pid="$(pid_alive "$PIDFILE" "$PID_PATTERN")"; then
    if port_open "$HOST" "$PORT"; then
      echo "registry: up (pid $pid) http://$HOST:$PORT/apis/ccompat/v7, Apicurio $VERSION, postgresql $DB_NAME"
      return 0
    fi
    echo "registry: starting (pid $pid), $HOST:$PORT not open yet"
    return 1
  fi
  if port_open "$HOST" "$PORT"; then
    owner="$(port_owner "$PORT")"
    echo "registry: down (not started by this repo), but $HOST:$PORT is in use${owner:+ by pid $owner}"
    return 1
  fi
  echo "registry: down"
  return 1
}

case "${1:-}" in
fetch)
  if fetched; then log "Apicurio Registry $VERSION already in ${DIST#"$ROOT"/}"; else with_lock "$RUN/registry.lock" do_fetch; fi
  ;;
start) with_lock "$RUN/registry.lock" do_start ;;
stop) with_lock "$RUN/registry.lock" do_stop ;;
status) do_status ;;
*)
  echo "usage: $0 {fetch|start|stop|status}" >&2
  exit 2
  ;;
esac
