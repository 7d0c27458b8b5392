# shellcheck shell=bash
# Shared helpers for infra/*.sh. Sourced, never executed.
# Callers set `set -euo pipefail` before sourcing.

# shellcheck disable=SC2034 # used by the scripts that source this file
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
INFRA="$ROOT/infra"
CACHE="$ROOT/.cache"
RUN="$ROOT/.run"
POM="$INFRA/pom.xml"

# Script name for messages, e.g. "kafka".
_TAG="$(basename "${BASH_SOURCE[1]:-infra}" .sh)"

log() { printf '[%s] %s\n' "$_TAG" "$*" >&2; }

# die MESSAGE [LOGFILE]: print the message (and the tail of LOGFILE) and exit 1.
die() {
  printf '[%s] ERROR: %s\n' "$_TAG" "$1" >&2
  if [[ -n "${2:-}" && -s "$2" ]]; then
    printf '[%s] --- last lines of %s ---\n' "$_TAG" "${2#"$ROOT"/}" >&2
    tail -n "${TAIL_LINES:-40}" "$2" >&2
    printf '[%s] ---\n' "$_TAG" >&2
  fi
  exit 1
}

# pom_prop NAME: a <properties> value from infra/pom.xml (the single source of versions).
pom_prop() {
  local v
  v="$(sed -n "s:^[[:space:]]*<$1>\\([^<]*\\)</$1>.*:\\1:p" "$POM" | head -n 1)"
  [[ -n "$v" ]] || die "property <$1> not found in ${POM#"$ROOT"/}"
  printf '%s' "$v"
}

java_bin() {
  if [[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/java" ]]; then
    printf '%s' "$JAVA_HOME/bin/java"
  elif command -v java >/dev/null 2>&1; then
    command -v java
  else
    die "java not found (Java 17+ is required; set JAVA_HOME or put java on PATH)"
  fi
}

need_java17() {
  local j major
  if [[ -z "${JAVA_HOME:-}" ]] && ! command -v java >/dev/null 2>&1; then
    log "java not found; installing Debian's OpenJDK 17"
    apt_install openjdk-17-jre-headless
  fi
  j="$(java_bin)"
  major="$("$j" -XshowSettings:properties -version 2>&1 | sed -n 's/^[[:space:]]*java\.specification\.version = \([0-9]*\).*/\1/p')"
  [[ -n "$major" && "$major" -ge 17 ]] || die "Java 17+ required, $j reports '${major:-unknown}'"
}

need_mvn() {
  if ! command -v mvn >/dev/null 2>&1; then
    log "mvn not found; installing Debian's Maven"
    apt_install maven
  fi
  command -v mvn >/dev/null 2>&1 || die "mvn not found (Maven is needed to fetch artifacts)"
}

# port_open HOST PORT: true if a TCP connect succeeds within ~1 s.
port_open() {
  # shellcheck disable=SC2016 # $1/$2 expand in the inner bash
  timeout 1 bash -c 'exec 3<>"/dev/tcp/$1/$2"' _ "$1" "$2" 2>/dev/null
}

# http_status URL-PATH PORT: prints the HTTP status code of GET http://127.0.0.1:PORT/PATH ("000" if none).
http_status() {
  local path="$1" port="$2" code
  if command -v curl >/dev/null 2>&1; then
    code="$(curl -s -o /dev/null -m 5 -w '%{http_code}' "http://127.0.0.1:$port$path" 2>/dev/null)" || true
  else
    # shellcheck disable=SC2016 # $1/$2 expand in the inner bash
    code="$(timeout 5 bash -c '
      exec 3<>"/dev/tcp/127.0.0.1/$2" || exit 1
      printf "GET %s HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n" "$1" >&3
      IFS=" " read -r _ c _ <&3 && printf "%s" "$c"' _ "$path" "$port" 2>/dev/null)" || true
  fi
  printf '%s' "${code:-000}"
}

# pid_alive PIDFILE PATTERN: prints the pid and succeeds if PIDFILE names a live process whose
# command line contains PATTERN (guards against a recycled pid).
pid_alive() {
  local pidfile="$1" pattern="$2" pid
  [[ -s "$pidfile" ]] || return 1
  pid="$(cat "$pidfile")"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$pattern" || return 1
  printf '%s' "$pid"
}

# port_owner PORT: "pid/name" of the process listening on 127.0.0.1:PORT, if ss can tell.
port_owner() {
  command -v ss >/dev/null 2>&1 || return 0
  ss -Hltnp "sport = :$1" 2>/dev/null | sed -n 's/.*users:((\"\([^\"]*\)\",pid=\([0-9]*\).*/\2\/\1/p' | head -n 1
}

# stop_pid PIDFILE PATTERN NAME DEADLINE_S: SIGTERM, wait, SIGKILL after the deadline.
stop_pid() {
  local pidfile="$1" pattern="$2" name="$3" deadline="$4" pid i
  if ! pid="$(pid_alive "$pidfile" "$pattern")"; then
    rm -f "$pidfile"
    log "$name is not running"
    return 0
  fi
  log "stopping $name (pid $pid)"
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < deadline * 5; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.2
  done
  if kill -0 "$pid" 2>/dev/null; then
    log "$name did not stop within ${deadline}s, sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    for ((i = 0; i < 50; i++)); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
  fi
  rm -f "$pidfile"
  log "$name stopped"
}

# with_lock LOCKFILE CMD...: serialise concurrent start/stop/fetch of one component.
# The lock is fd 9; background daemons must be launched with `9>&-` so they do not keep it.
with_lock() {
  local lockfile="$1"
  shift
  mkdir -p "$(dirname "$lockfile")"
  exec 9>"$lockfile"
  flock -w 300 9 || die "could not lock $lockfile within 300s"
  "$@"
}

# Milliseconds since the epoch, for "ready in N s" messages.
now_ms() { date +%s%3N; }
elapsed() { local ms=$(($(now_ms) - $1)); printf '%d.%01ds' $((ms / 1000)) $((ms % 1000 / 100)); }

# apt helpers (used by postgres.sh and redis.sh only when something must be installed).
_APT_UPDATED=""
apt_install() {
  local sudo=""
  if [[ "$(id -u)" -ne 0 ]]; then
    command -v sudo >/dev/null 2>&1 || die "need root (or sudo) to apt-get install $*"
    sudo="sudo"
  fi
  command -v apt-get >/dev/null 2>&1 || die "apt-get not found; install $* yourself"
  if [[ -z "$_APT_UPDATED" ]]; then
    log "apt-get update"
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2 || die "apt-get update failed"
    _APT_UPDATED=1
  fi
  log "apt-get install -y $*"
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >&2 ||
    die "apt-get install $* failed"
}

# deb_extract DIR PACKAGE...: downloads Debian packages (apt-get download, no install and no root
# needed once the package lists exist) and unpacks them into DIR, project-locally. Idempotent: a DIR
# holding a .complete stamp is kept. Concurrent callers (tests run in parallel) serialise on a lock
# beside DIR, and a half-unpacked DIR.tmp.PID is removed however the unpacking ends. Used for tools
# the tests run but the machine need not have installed (promtool and prometheus, docker-compose).
deb_extract() {
  local dir="$1"; shift
  [[ -f "$dir/.complete" ]] && return 0
  mkdir -p "$(dirname "$dir")"
  (
    flock -w 600 9 || die "could not lock ${dir#"$ROOT"/} within 600 s"
    [[ -f "$dir/.complete" ]] && exit 0
    log "unpacking Debian's $* into ${dir#"$ROOT"/}"
    _deb_extract_locked "$dir" "$@"
  ) 9>"$(dirname "$dir")/.$(basename "$dir").lock" || exit 1
}

# Runs in deb_extract's subshell, holding its lock: the EXIT trap is that subshell's own.
_deb_extract_locked() {
  local dir="$1" tmp deb; shift
  command -v apt-get >/dev/null 2>&1 || die "apt-get not found: install $* yourself, or put them on PATH"
  command -v dpkg-deb >/dev/null 2>&1 || die "dpkg-deb not found: install $* yourself, or put them on PATH"
  tmp="$dir.tmp.$$"
  _DEB_TMP="$tmp"
  trap 'rm -rf "$_DEB_TMP"' EXIT
  rm -rf "$tmp"
  mkdir -p "$tmp/debs"
  if ! (cd "$tmp/debs" && apt-get download -qq "$@") >"$tmp/download.log" 2>&1; then
    # A machine whose package lists were never fetched: fetch them (needs root), then try again.
    # sudo -n: fail at once rather than wait for a password no one types (tests run this).
    local sudo=""
    if [[ "$(id -u)" -ne 0 ]]; then
      command -v sudo >/dev/null 2>&1 ||
        die "apt-get download $* failed and apt-get update needs root (or sudo)" "$tmp/download.log"
      sudo="sudo -n"
    fi
    log "apt-get update (to download $*)"
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2 ||
      die "apt-get update failed (as root, or with sudo without a password); run it yourself and retry"
    (cd "$tmp/debs" && apt-get download -qq "$@") >"$tmp/download.log" 2>&1 ||
      die "apt-get download $* failed" "$tmp/download.log"
  fi
  for deb in "$tmp"/debs/*.deb; do dpkg-deb -x "$deb" "$tmp/root" || die "could not unpack $deb"; done
  rm -rf "$tmp/debs" "$dir"
  touch "$tmp/.complete"
  mv "$tmp" "$dir"
}
