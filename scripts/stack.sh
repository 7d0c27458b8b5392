# shellcheck shell=bash
# Steps shared by ./dev up and ./dev test. Sourced after infra/lib.sh.

# The pnpm version package.json pins ("packageManager": "pnpm@X").
pnpm_version() {
  local v
  v="$(sed -n 's/.*"packageManager": "pnpm@\([0-9][^"+]*\).*/\1/p' "$ROOT/package.json")"
  [[ -n "$v" ]] || die "package.json has no \"packageManager\": \"pnpm@<version>\""
  printf '%s' "$v"
}

# The project's own pnpm, at the pinned version, installed by npm into .cache/tools/pnpm-<version>
# and put first on PATH. Never a global pnpm and never corepack: a clean clone installs it itself,
# and a broken global shim (such as corepack's, when it cannot verify signatures) is never run.
ensure_pnpm() {
  local version dir tmp out
  version="$(pnpm_version)"
  dir="$CACHE/tools/pnpm-$version"
  if [[ ! -x "$dir/bin/pnpm" ]] || [[ "$("$dir/bin/pnpm" --version 2>/dev/null)" != "$version" ]]; then
    if ! command -v npm >/dev/null; then
      log "npm not found (Debian packages it apart from Node.js); installing Debian's npm"
      apt_install npm
    fi
    log "installing pnpm $version into ${dir#"$ROOT"/} (project-local, with npm)"
    tmp="$dir.tmp.$$"
    out="$CACHE/tools/pnpm-install.log"
    mkdir -p "$CACHE/tools"
    rm -rf "$tmp"
    # --global with --prefix: the package and its bin/ land in $tmp, nothing outside the project.
    # From /: the project's .npmrc holds pnpm settings that npm would warn about.
    if ! (cd / && npm install --global --prefix "$tmp" --no-audit --no-fund --loglevel=error \
      "pnpm@$version") >"$out" 2>&1; then
      rm -rf "$tmp"
      die "could not install pnpm $version with npm (is the npm registry reachable? see npm's output below)" "$out"
    fi
    rm -rf "$dir"
    # Another ./dev of this clone may have finished the same install meanwhile: keep the first.
    mv -T "$tmp" "$dir" 2>/dev/null || rm -rf "$tmp"
    [[ "$("$dir/bin/pnpm" --version 2>/dev/null)" == "$version" ]] ||
      die "the pnpm installed in ${dir#"$ROOT"/} does not run" "$out"
  fi
  export PATH="$dir/bin:$PATH"
  hash -r
}

ensure_node_deps() {
  command -v node >/dev/null || die "node not found: Herald needs Node.js 20.19 or newer"
  node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 20 || (a === 20 && b >= 19) ? 0 : 1)' ||
    die "Node.js $(node --version) is too old: Herald needs 20.19 or newer"
  ensure_pnpm
  local stamp="$ROOT/node_modules/.herald-install-stamp" want
  want="$(cat "$ROOT/pnpm-lock.yaml" "$ROOT"/package.json "$ROOT"/{packages,services}/*/package.json "$ROOT/test/package.json" | sha256sum | cut -d' ' -f1)"
  if [[ ! -f "$stamp" || "$(cat "$stamp")" != "$want" ]]; then
    log "installing node packages (pnpm install)"
    mkdir -p "$CACHE"
    (cd "$ROOT" && pnpm install --frozen-lockfile --reporter=append-only) >"$CACHE/pnpm-install.log" 2>&1 ||
      die "pnpm install failed" "$CACHE/pnpm-install.log"
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

