#!/usr/bin/env bash
# Local single-node Apache Kafka (KRaft, broker + controller) without Docker.
#   infra/kafka.sh fetch   download the broker jars into .cache/kafka-<version>/libs (once)
#   infra/kafka.sh start   format storage once, start in the background, wait until usable
#   infra/kafka.sh stop    SIGTERM, SIGKILL after a deadline
#   infra/kafka.sh status  one line; exit 0 if up
# Version: <kafka.version> in infra/pom.xml. State: .run/kafka (reset: stop, then rm -rf .run/kafka).
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

VERSION="$(pom_prop kafka.version)"
HOST=127.0.0.1
PORT=9092
CONTROLLER_PORT=9093
DIST="$CACHE/kafka-$VERSION"
LIBS="$DIST/libs"
MARKER="$DIST/.fetched"
STATE="$RUN/kafka"
DATA="$STATE/data"
PROPS="$STATE/server.properties"
ADMIN_PROPS="$STATE/admin.properties"
CLUSTER_ID_FILE="$STATE/cluster.id"
PIDFILE="$STATE/kafka.pid"
LOGFILE="$STATE/kafka.log"
START_TIMEOUT="${KAFKA_START_TIMEOUT:-60}"
STOP_TIMEOUT="${KAFKA_STOP_TIMEOUT:-30}"
HEAP_OPTS="${KAFKA_HEAP_OPTS:--Xms256m -Xmx768m}"
# What /proc/<pid>/cmdline must contain for a pid to count as this repo's broker.
PID_PATTERN="kafka.Kafka $PROPS"

# The marker holds a hash of the pom, so changing a pinned version re-fetches.
pom_hash() { sha256sum "$POM" | cut -d' ' -f1; }

fetched() {
  [[ -f "$MARKER" && "$(cat "$MARKER")" == "$(pom_hash)" && -f "$LIBS/kafka_2.13-$VERSION.jar" ]]
}

do_fetch() {
  if fetched; then
    return 0
  fi
  need_mvn
  local t0 tmp="$DIST/libs.tmp" mvnlog="$DIST/fetch.log"
  t0="$(now_ms)"
  log "fetching Kafka $VERSION jars with Maven into ${LIBS#"$ROOT"/}"
  mkdir -p "$DIST"
  rm -rf "$tmp"
  if ! mvn -B -q -f "$POM" dependency:copy-dependencies \
    -DoutputDirectory="$tmp" -DincludeScope=runtime >"$mvnlog" 2>&1; then
    die "mvn dependency:copy-dependencies failed" "$mvnlog"
  fi
  [[ -f "$tmp/kafka_2.13-$VERSION.jar" ]] || die "kafka_2.13-$VERSION.jar missing after fetch" "$mvnlog"
  rm -rf "$LIBS"
  mv "$tmp" "$LIBS"
  pom_hash >"$MARKER"
  log "fetched $(find "$LIBS" -name '*.jar' | wc -l) jars in $(elapsed "$t0")"
}

# Run a Kafka command-line tool class with the broker's classpath and quiet logging.
kafka_tool() {
  "$(java_bin)" -Xmx256m -Dlog4j.configuration="file:$INFRA/kafka/tools-log4j.properties" \
    -cp "$LIBS/*" "$@"
}

# "Usable" = a metadata round trip through the admin client succeeds (the broker is unfenced and
# serving), not merely that the port accepts connections.
usable() {
  timeout 20 "$(java_bin)" -Xmx128m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC \
    -Dlog4j.configuration="file:$INFRA/kafka/tools-log4j.properties" -cp "$LIBS/*" \
    org.apache.kafka.tools.TopicCommand --bootstrap-server "$HOST:$PORT" \
    --command-config "$ADMIN_PROPS" --list >/dev/null 2>>"$STATE/check.log"
}

write_config() {
  mkdir -p "$DATA"
  sed -e "s|@DATA_DIR@|$DATA|g" "$INFRA/kafka/server.properties" >"$PROPS.tmp"
  mv "$PROPS.tmp" "$PROPS"
  cat >"$ADMIN_PROPS" <<'EOF'
request.timeout.ms=3000
default.api.timeout.ms=5000
EOF
}

format_once() {
  if [[ -f "$DATA/meta.properties" ]]; then
    # Keep cluster.id in step with what the storage was formatted with.
    if [[ ! -s "$CLUSTER_ID_FILE" ]]; then
      sed -n 's/^cluster\.id=//p' "$DATA/meta.properties" >"$CLUSTER_ID_FILE"
    fi
    return 0
  fi
  local id
  if [[ -s "$CLUSTER_ID_FILE" ]]; then
    id="$(cat "$CLUSTER_ID_FILE")"
  else
    id="$(kafka_tool kafka.tools.StorageTool random-uuid 2>>"$STATE/format.log" | tail -n 1)"
    [[ "$id" =~ ^[A-Za-z0-9_-]{22}$ ]] || die "could not generate a cluster id: '$id'" "$STATE/format.log"
    printf '%s\n' "$id" >"$CLUSTER_ID_FILE"
  fi
  log "formatting storage in ${DATA#"$ROOT"/} (cluster id $id)"
  if ! kafka_tool kafka.tools.StorageTool format -t "$id" -c "$PROPS" >>"$STATE/format.log" 2>&1; then
    die "kafka storage format failed" "$STATE/format.log"
  fi
}

wait_ready() {
  local pid="$1" t0="$2" deadline
  deadline=$((t0 + START_TIMEOUT * 1000))
  : >"$STATE/check.log"
  while :; do
    if ! kill -0 "$pid" 2>/dev/null; then
      rm -f "$PIDFILE"
      die "Kafka exited during startup" "$LOGFILE"
    fi
    if port_open "$HOST" "$PORT" && usable; then
      log "Kafka $VERSION ready on $HOST:$PORT (pid $pid) in $(elapsed "$t0")"
      return 0
    fi
    if (($(now_ms) > deadline)); then
      TAIL_LINES=20 die "Kafka (pid $pid) not usable within ${START_TIMEOUT}s; still running, see ${LOGFILE#"$ROOT"/}" "$LOGFILE"
    fi
    sleep 0.5
  done
}

do_start() {
  local pid t0 owner p
  t0="$(now_ms)"
  if pid="$(pid_alive "$PIDFILE" "$PID_PATTERN")"; then
    if port_open "$HOST" "$PORT"; then
      log "already running (pid $pid) on $HOST:$PORT"
      return 0
    fi
    log "pid $pid is starting; waiting"
    wait_ready "$pid" "$t0"
    return 0
  fi
  rm -f "$PIDFILE"
  for p in "$PORT" "$CONTROLLER_PORT"; do
    if port_open "$HOST" "$p"; then
      owner="$(port_owner "$p")"
      die "$HOST:$p is already in use${owner:+ by pid $owner} (not the broker of this repo); stop it first"
    fi
  done
  need_java17
  do_fetch
  mkdir -p "$STATE"
  write_config
  format_once
  [[ -f "$LOGFILE" ]] && mv -f "$LOGFILE" "$LOGFILE.1"
  log "starting Kafka $VERSION (log: ${LOGFILE#"$ROOT"/})"
  # shellcheck disable=SC2086 # HEAP_OPTS is a list of JVM flags
  (cd "$STATE" && exec setsid nohup "$(java_bin)" $HEAP_OPTS \
    -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:+ExitOnOutOfMemoryError -Djava.awt.headless=true \
    -Dlog4j.configuration="file:$INFRA/kafka/log4j.properties" -Dkafka.logs.dir="$STATE" \
    -cp "$LIBS/*" kafka.Kafka "$PROPS" >"$LOGFILE" 2>&1 </dev/null 9>&-) &
  pid=$!
  printf '%s\n' "$pid" >"$PIDFILE"
  wait_ready "$pid" "$t0"
}

do_stop() {
  stop_pid "$PIDFILE" "$PID_PATTERN" "Kafka" "$STOP_TIMEOUT"
}

do_status() {
  local pid owner
  if pid="$(pid_alive "$PIDFILE" "$PID_PATTERN")"; then
    if port_open "$HOST" "$PORT"; then
      echo "kafka: up (pid $pid) $HOST:$PORT, Kafka $VERSION"
      return 0
    fi
    echo "kafka: starting (pid $pid), $HOST:$PORT not open yet"
    return 1
  fi
  if port_open "$HOST" "$PORT"; then
    owner="$(port_owner "$PORT")"
    echo "kafka: down (not started by this repo), but $HOST:$PORT is in use${owner:+ by pid $owner}"
    return 1
  fi
  echo "kafka: down"
  return 1
}

case "${1:-}" in
fetch)
  if fetched; then log "Kafka $VERSION already in ${LIBS#"$ROOT"/}"; else with_lock "$RUN/kafka.lock" do_fetch; fi
  ;;
start) with_lock "$RUN/kafka.lock" do_start ;;
stop) with_lock "$RUN/kafka.lock" do_stop ;;
status) do_status ;;
*)
  echo "usage: $0 {fetch|start|stop|status}" >&2
  exit 2
  ;;
esac
