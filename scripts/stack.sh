# shellcheck shell=bash
# Steps shared by ./dev up and ./dev test. Sourced after infra/lib.sh.

# The pnpm version package.json pins ("packageManager": "pnpm@X").
pnpm_version() {
  local v
  v="$(sed -n 's/.*"packageManager": "pnpm@\([0-9][^"+]*\).*/\1/p' "$ROOT/package.json")"
  [[ -n "$v" ]] || die "package.json has no \"packageManager\": \"pnpm@<version>\""
  printf '%s' "$v"
}

pnpm_runs() { # dir version
  [[ -x "$1/bin/pnpm" && "$("$1/bin/pnpm" --version 2>/dev/null)" == "$2" ]]
}

# Called under the install lock: installs pnpm VERSION into DIR unless a concurrent ./dev did.
install_pnpm() { # dir version
  local dir="$1" version="$2" tmp="$1.tmp.$$" out="$CACHE/tools/pnpm-install.log"
  pnpm_runs "$dir" "$version" && return 0
  command -v npm >/dev/null ||
    die "npm not found: Herald installs pnpm with the npm that comes with Node.js 20.19+ (nodejs.org or NodeSource packages include it)"
  log "installing pnpm $version into ${dir#"$ROOT"/} (project-local, with npm)"
  rm -rf "$tmp"
  # --global with --prefix: the package and its bin/ land in $tmp, nothing outside the project.
  # From /: the project's .npmrc holds pnpm settings that npm would warn about.
  if ! (cd / && npm install --global --prefix "$tmp" --no-audit --no-fund --loglevel=error \
    "pnpm@$version") >"$out" 2>&1; then
    rm -rf "$tmp"
    die "could not install pnpm $version with npm (is the npm registry reachable? see npm's output below)" "$out"
  fi
  rm -rf "$dir"
  mv "$tmp" "$dir"
  pnpm_runs "$dir" "$version" || die "the pnpm installed in ${dir#"$ROOT"/} does not run" "$out"
}

# The project's own pnpm, at the pinned version, installed by npm into .cache/tools/pnpm-<version>
# and put first on PATH. Never a global pnpm and never corepack: a clean clone installs it itself,
# and a broken global shim (such as corepack's, when it cannot verify signatures) is never run.
ensure_pnpm() {
  local version dir
  version="$(pnpm_version)"
  dir="$CACHE/tools/pnpm-$version"
  if ! pnpm_runs "$dir" "$version"; then
    mkdir -p "$CACHE/tools"
    # A subshell holds the lock for the install only; its die exits the subshell, hence `|| exit 1`.
    (
      flock -w 600 9 || die "could not lock .cache/tools within 600 s"
      install_pnpm "$dir" "$version"
    ) 9>"$CACHE/tools/.install.lock" || exit 1
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
  want="$(cat "$ROOT/pnpm-lock.yaml" "$ROOT"/package.json "$ROOT"/{packages,services}/*/package.json "$ROOT/test/package.json" "$ROOT/bench/package.json" | sha256sum | cut -d' ' -f1)"
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

