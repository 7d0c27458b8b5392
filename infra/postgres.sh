#!/usr/bin/env bash
# Local PostgreSQL for the dev stack (postgres://postgres@127.0.0.1:5432/...), without systemd.
#   infra/postgres.sh ensure         if 127.0.0.1:5432 answers, do nothing; otherwise install the
#                                    Debian package if missing, start the cluster, and (only for a
#                                    cluster installed here) trust local TCP logins
#   infra/postgres.sh createdb NAME  create database NAME if it does not exist (idempotent)
#   infra/postgres.sh status         one line; exit 0 if 127.0.0.1:5432 answers
#   infra/postgres.sh stop-if-ours   stop the server only if `ensure` started it (recorded in
#                                    .run/postgres.ours with the postmaster start time)
# Never stops, restarts or reconfigures a PostgreSQL it did not start.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

HOST=127.0.0.1
PORT=5432
START_TIMEOUT="${POSTGRES_START_TIMEOUT:-30}"
OURS="$RUN/postgres.ours"
HBA_MARK="# herald dev (infra/postgres.sh): passwordless local TCP logins"

up() {
  if command -v pg_isready >/dev/null 2>&1; then
    pg_isready -q -h "$HOST" -p "$PORT" -t 2
  else
    port_open "$HOST" "$PORT"
  fi
}

# Newest PostgreSQL version that has a "main" cluster configured, e.g. 15 (empty if none).
cluster_version() {
  local f
  for f in /etc/postgresql/*/main/postgresql.conf; do
    if [[ -f "$f" ]]; then basename "$(dirname "$(dirname "$f")")"; fi
  done | sort -rV | head -n 1
}

# Newest installed PostgreSQL server version (empty if none).
server_version() {
  local f
  for f in /usr/lib/postgresql/*/bin/postgres; do
    if [[ -x "$f" ]]; then basename "$(dirname "$(dirname "$f")")"; fi
  done | sort -rV | head -n 1
}

# Put trust lines for 127.0.0.1 and ::1 first in pg_hba.conf (first match wins), once.
trust_local_tcp() {
  local v="$1" hba
  hba="/etc/postgresql/$v/main/pg_hba.conf"
  [[ -f "$hba" ]] || die "$hba not found"
  if grep -qF "$HBA_MARK" "$hba"; then
    return 0
  fi
  log "trusting 127.0.0.1/::1 logins in $hba"
  cp -p "$hba" "$hba.herald-orig"
  {
    printf '%s\n' "$HBA_MARK"
    printf 'host    all    all    127.0.0.1/32    trust\n'
    printf 'host    all    all    ::1/128         trust\n'
    printf '\n'
    cat "$hba.herald-orig"
  } >"$hba"
  chown --reference="$hba.herald-orig" "$hba"
  chmod --reference="$hba.herald-orig" "$hba"
}

do_ensure() {
  local installed_here="" v t0 log_file
  if up; then
    return 0
  fi
  t0="$(now_ms)"
  if [[ -z "$(server_version)" ]] || ! command -v pg_ctlcluster >/dev/null 2>&1; then
    apt_install postgresql
    installed_here=1
  fi
  v="$(cluster_version)"
  if [[ -z "$v" ]]; then
    v="$(server_version)"
    [[ -n "$v" ]] || die "no PostgreSQL server binaries found under /usr/lib/postgresql"
    log "creating cluster $v/main"
    pg_createcluster "$v" main >&2 || die "pg_createcluster $v main failed"
    installed_here=1
  fi
  if [[ -n "$installed_here" ]]; then
    trust_local_tcp "$v"
  fi
  log_file="/var/log/postgresql/postgresql-$v-main.log"
  # The package's postinst may already have started it (sysv init script).
  if ! up; then
    log "starting PostgreSQL $v/main"
    if ! pg_ctlcluster --skip-systemctl-redirect "$v" main start >&2; then
      # "already running" is fine if it answers below; anything else shows in the log.
      log "pg_ctlcluster start returned non-zero; checking"
    fi
  elif [[ -n "$installed_here" ]]; then
    pg_ctlcluster --skip-systemctl-redirect "$v" main reload >&2 || die "pg_ctlcluster reload failed" "$log_file"
  fi
  local i
  for ((i = 0; i < START_TIMEOUT * 2; i++)); do
    up && break
    sleep 0.5
  done
  up || die "PostgreSQL $v/main does not answer on $HOST:$PORT after ${START_TIMEOUT}s (is its port 5432? see /etc/postgresql/$v/main/postgresql.conf)" "$log_file"
  log "PostgreSQL $v ready on $HOST:$PORT in $(elapsed "$t0")"
  check_login
  mkdir -p "$RUN"
  printf '%s %s\n' "$v" "$(started_at)" >"$OURS"
}

# The postmaster start time identifies one run of the server.
started_at() {
  psql -X -w -h "$HOST" -p "$PORT" -U postgres -d postgres -Atqc 'select pg_postmaster_start_time()' 2>/dev/null
}

# True if the server now answering is the one `ensure` started (prints its cluster version).
ours() {
  local v t now
  [[ -s "$OURS" ]] || return 1
  read -r v t <"$OURS" || true
  command -v psql >/dev/null 2>&1 || return 1
  now="$(started_at)" || return 1
  [[ -n "$v" && -n "$now" && "$now" == "$t" ]] || return 1
  printf '%s' "$v"
}

do_status() {
  if up; then
    if ours >/dev/null; then
      echo "postgres: up $HOST:$PORT (started by infra/postgres.sh)"
    else
      echo "postgres: up $HOST:$PORT"
    fi
    return 0
  fi
  echo "postgres: down"
  return 1
}

do_stop_if_ours() {
  local v
  if ! up; then
    rm -f "$OURS"
    return 0
  fi
  if ! v="$(ours)"; then
    rm -f "$OURS"
    log "PostgreSQL on $HOST:$PORT was not started by infra/postgres.sh; leaving it running"
    return 0
  fi
  log "stopping PostgreSQL $v/main (started by infra/postgres.sh)"
  pg_ctlcluster --skip-systemctl-redirect "$v" main stop >&2 ||
    die "pg_ctlcluster $v main stop failed" "/var/log/postgresql/postgresql-$v-main.log"
  rm -f "$OURS"
}

need_psql() {
  if ! command -v psql >/dev/null 2>&1; then
    apt_install postgresql-client
  fi
}

# The dev stack logs in as postgres over TCP without a password.
check_login() {
  need_psql
  local err
  if ! err="$(psql -X -w -h "$HOST" -p "$PORT" -U postgres -d postgres -Atqc 'select 1' 2>&1 >/dev/null)"; then
    die "cannot log in as postgres@$HOST:$PORT without a password: $err
  (the dev stack uses postgres://postgres@$HOST:$PORT/...; add 'host all postgres 127.0.0.1/32 trust'
   near the top of pg_hba.conf and reload, or export PGPASSWORD)"
  fi
}

do_createdb() {
  local name="$1"
  [[ "$name" =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]] || die "invalid database name '$name' (letters, digits, _)"
  do_ensure
  check_login
  local psql=(psql -X -w -v ON_ERROR_STOP=1 -h "$HOST" -p "$PORT" -U postgres -d postgres -Atq)
  if [[ "$("${psql[@]}" -c "select 1 from pg_database where datname = '$name'")" == 1 ]]; then
    return 0
  fi
  log "creating database $name"
  local err
  if ! err="$("${psql[@]}" -c "create database \"$name\"" 2>&1)"; then
    # Lost a race with a concurrent createdb: fine if it exists now.
    [[ "$("${psql[@]}" -c "select 1 from pg_database where datname = '$name'")" == 1 ]] ||
      die "create database $name failed: $err"
  fi
}

case "${1:-}" in
ensure) do_ensure ;;
status) do_status ;;
stop-if-ours) do_stop_if_ours ;;
createdb)
  [[ -n "${2:-}" ]] || die "usage: $0 createdb NAME"
  do_createdb "$2"
  ;;
*)
  echo "usage: $0 {ensure|createdb NAME|status|stop-if-ours}" >&2
  exit 2
  ;;
esac
