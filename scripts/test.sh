#!/usr/bin/env bash
# ./dev test: lint, type checks, unit, integration and end-to-end tests. Every stage runs; the
# exit status is non-zero if any failed. Infrastructure this run started is stopped at the end.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=infra/lib.sh
source "$ROOT/infra/lib.sh"
# shellcheck source=scripts/stack.sh
source "$ROOT/scripts/stack.sh"
_TAG=test

cd "$ROOT"
mkdir -p "$RUN/test-results"
failed=()
passed_tests=0
failed_tests=0

stage() { # name command...
  local name="$1" t0; shift
  t0=$(now_ms)
  log "── $name"
  if "$@"; then log "── $name passed ($(elapsed "$t0"))"; else log "── $name FAILED ($(elapsed "$t0"))"; failed+=("$name"); fi
}

jest_stage() { # project extra-args...
  local project="$1" out="$RUN/test-results/$1.json"; shift
  rm -f "$out"
  local rc=0
  pnpm exec jest --ci --selectProjects "$project" --json --outputFile "$out" "$@" || rc=$?
  if [[ -s "$out" ]]; then
    passed_tests=$((passed_tests + $(node -p "require('$out').numPassedTests")))
    failed_tests=$((failed_tests + $(node -p "require('$out').numFailedTests")))
    # A project that found no test is a failure, not a pass.
    [[ "$(node -p "require('$out').numTotalTests")" -gt 0 ]] || { log "$project ran no test"; rc=1; }
  fi
  return $rc
}

# Infrastructure that was not running before this run is stopped after it.
started=()
note_infra() { "$INFRA/$1.sh" status >/dev/null 2>&1 || started+=("$1"); }
cleanup() {
  local c
  for c in "${started[@]}"; do "$INFRA/$c.sh" stop || true; done
}
trap cleanup EXIT

t_all=$(now_ms)
ensure_node_deps
stage "lint (eslint, prettier)" pnpm -s lint
stage "types (tsc)" pnpm -s typecheck
stage "build" build
stage "unit tests" jest_stage unit
stage "operations files (compose, kubernetes, prometheus)" jest_stage ops
note_infra kafka
note_infra registry
stage "infrastructure" infra_up
stage "integration tests" jest_stage integration --runInBand
stage "end-to-end tests" jest_stage e2e --runInBand

log "finished in $(elapsed "$t_all")"
echo "tests: ${passed_tests} passed, ${failed_tests} failed"
if ((${#failed[@]} > 0)); then
  log "failed stages: ${failed[*]}"
  exit 1
fi
