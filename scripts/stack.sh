# shellcheck shell=bash
# Steps shared by ./dev up and ./dev test. Sourced after infra/lib.sh.

ensure_node_deps() {
  command -v node >/dev/null || die "node not found: Herald needs Node.js 20.19 or newer"
  if ! command -v pnpm >/dev/null; then
    local version
    version="$(sed -n 's/.*"packageManager": "pnpm@\([^"]*\)".*/\1/p' "$ROOT/package.json")"
    log "installing pnpm $version"
    # corepack ships with Node; npm -g is the fallback. Both write to Node's prefix (root, or sudo).
    { command -v corepack >/dev/null && corepack enable pnpm 2>/dev/null &&
      COREPACK_ENABLE_DOWNLOAD_PROMPT=0 pnpm --version </dev/null >/dev/null 2>&1; } ||
      npm install -g "pnpm@$version" >/dev/null ||
      die "could not install pnpm $version: install it yourself (npm install -g pnpm@$version)"
  fi
  local stamp="$ROOT/node_modules/.herald-install-stamp" want
  want="$(cat "$ROOT/pnpm-lock.yaml" "$ROOT"/package.json "$ROOT"/{packages,services}/*/package.json "$ROOT/test/package.json" | sha256sum | cut -d' ' -f1)"
  if [[ ! -f "$stamp" || "$(cat "$stamp")" != "$want" ]]; then
    log "installing node packages"
    (cd "$ROOT" && pnpm install --frozen-lockfile --reporter=append-only >/dev/null)
    echo "$want" >"$stamp"
  fi
}

build() {
  log "building (tsc -b)"
  (cd "$ROOT" && pnpm -s build)
}

# Chained with && so that a failure fails the step even where the caller disabled `set -e`.
infra_up() {
  "$INFRA/postgres.sh" ensure &&
    "$INFRA/redis.sh" ensure &&
    "$INFRA/kafka.sh" start &&
    "$INFRA/registry.sh" start
}

provision() {
  log "provisioning (database, migrations, topics, schemas)"
  (set -a; source "$ROOT/dev.env"; set +a; cd "$ROOT" && node packages/shared/dist/provision-main.js) \
    || die "provisioning failed"
}

