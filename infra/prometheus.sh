#!/usr/bin/env bash
# Prometheus and promtool for the tests (alert rules, dashboards' queries), Debian's package.
#   infra/prometheus.sh bin   prints the directory holding `prometheus` and `promtool`: the machine's
#                             own if both are on PATH, otherwise Debian's package unpacked into
#                             .cache/tools/prometheus (downloaded once, never installed system-wide)
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

bin_dir() {
  local p dir="$CACHE/tools/prometheus"
  if p="$(command -v promtool 2>/dev/null)" && command -v prometheus >/dev/null 2>&1 &&
    [[ "$(dirname "$p")" == "$(dirname "$(command -v prometheus)")" ]]; then
    dirname "$p"
    return 0
  fi
  deb_extract "$dir" prometheus
  "$dir/root/usr/bin/promtool" --version >/dev/null 2>&1 || die "the unpacked promtool does not run"
  printf '%s\n' "$dir/root/usr/bin"
}

case "${1:-}" in
  bin) bin_dir ;;
  *) echo "usage: infra/prometheus.sh bin" >&2; exit 2 ;;
esac
