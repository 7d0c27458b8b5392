#!/usr/bin/env bash
# Docker Compose for checking docker-compose.yml on a machine without the compose plugin.
#   infra/compose.sh config-check [FILE]  validate FILE (default: docker-compose.yml) with
#                                         `docker compose config -q`, or, without the plugin, with
#                                         Debian's docker-compose 1.29.2; says which one it used
#   infra/compose.sh which                prints the tool config-check would use
#   infra/compose.sh run ARGS...          runs that tool with ARGS (e.g. `run config --services`)
# Debian's docker-compose is a Python program: it and its python3-* dependencies are unpacked
# project-locally into .cache/tools/docker-compose (downloaded once, never installed system-wide)
# and run by the machine's Python 3 with PYTHONPATH pointing at the unpacked dist-packages.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

DC_DIR="$CACHE/tools/docker-compose"
# docker-compose 1.29.2 (Debian bookworm) and what it imports (apt-cache depends --recurse).
DC_PACKAGES=(
  docker-compose python3-attr python3-cached-property python3-certifi python3-chardet
  python3-charset-normalizer python3-distro python3-docker python3-dockerpty python3-docopt
  python3-dotenv python3-idna python3-importlib-metadata python3-jsonschema python3-more-itertools
  python3-pkg-resources python3-pyrsistent python3-requests python3-six python3-texttable
  python3-typing-extensions python3-urllib3 python3-websocket python3-yaml python3-zipp
)

# Debian's packages are built for Debian's Python: prefer /usr/bin/python3 to one earlier on PATH.
python_bin() {
  if [[ -x /usr/bin/python3 ]]; then
    printf '%s' /usr/bin/python3
  elif command -v python3 >/dev/null 2>&1; then
    command -v python3
  else
    die "python3 not found (Debian's docker-compose is a Python 3 program)"
  fi
}

has_plugin() { command -v docker >/dev/null 2>&1 && docker compose version >/dev/null 2>&1; }

# Unpacks Debian's docker-compose once (deb_extract locks: tests may run this concurrently).
ensure_debian_compose() {
  deb_extract "$DC_DIR" "${DC_PACKAGES[@]}"
  [[ -f "$DC_DIR/root/usr/bin/docker-compose" ]] || die "docker-compose missing from ${DC_DIR#"$ROOT"/}; remove that directory and retry"
}

# debian_compose ARGS...: Debian's docker-compose with the unpacked packages first on the path.
debian_compose() {
  PYTHONPATH="$DC_DIR/root/usr/lib/python3/dist-packages${PYTHONPATH:+:$PYTHONPATH}" \
    "$(python_bin)" "$DC_DIR/root/usr/bin/docker-compose" "$@"
}

# Sets TOOL (plugin|debian) and TOOL_DESC.
choose_tool() {
  local v
  if has_plugin; then
    TOOL=plugin
    v="$(docker compose version --short 2>/dev/null || true)"
    TOOL_DESC="docker compose${v:+ $v} (the docker client's compose plugin)"
  else
    ensure_debian_compose
    TOOL=debian
    v="$(debian_compose version --short 2>/dev/null)" || die "the unpacked docker-compose does not run (python: $(python_bin))"
    TOOL_DESC="docker-compose $v (Debian's package, unpacked into ${DC_DIR#"$ROOT"/}; the docker client has no compose plugin)"
  fi
}

run_tool() {
  if [[ "$TOOL" == plugin ]]; then docker compose "$@"; else debian_compose "$@"; fi
}

config_check() {
  local file="${1:-$ROOT/docker-compose.yml}"
  [[ -f "$file" ]] || die "no such compose file: $file"
  choose_tool
  log "checking ${file#"$ROOT"/} with $TOOL_DESC"
  # The project directory is the file's own, as `docker compose up` there would use it.
  run_tool --project-directory "$(dirname "$file")" -f "$file" config -q ||
    die "${file#"$ROOT"/} was rejected by $TOOL_DESC"
  log "accepted by $TOOL_DESC"
}

case "${1:-}" in
  config-check) config_check "${2:-}" ;;
  which)
    choose_tool
    printf '%s\n' "$TOOL_DESC"
    ;;
  run)
    shift
    choose_tool
    run_tool "$@"
    ;;
  *)
    echo "usage: infra/compose.sh {config-check [FILE]|which|run ARGS...}" >&2
    exit 2
    ;;
esac
