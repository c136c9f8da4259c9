#!/usr/bin/env bash
# The test command, the same for a newcomer, `make test` and CI (.ci/run).
#
# 1. Installs the Debian packages the tests need when they are missing
#    (and make, which runs this script as `make test`):
#    gcc (go test -race needs cgo), prometheus (promtool, and the server the
#    end-to-end dashboard test runs), chromium (the browser test of /report),
#    systemd (systemd-analyze verify of the example unit), poppler-utils
#    (pdftotext, which reads the PDF the browser test prints of /report),
#    and curl (.ci/run reads the demo's /metrics with it). It needs root or sudo;
#    SRE_NO_INSTALL=1 installs nothing.
# 2. Says before the run which tests will skip, and why.
# 3. Runs go test through gotestsum, which ends with the list of skipped
#    tests and their reasons.
#
# With CI=true, a test that would skip for a missing program fails instead
# (internal/testenv), and so does a run without a C compiler for -race.
#
# Usage: scripts/test.sh [go test flags and packages]   (default: ./...)
#        scripts/test.sh --install-only                 (step 1 alone, for .ci/run)
set -euo pipefail
cd "$(dirname "$0")/.."

gotestsum=gotest.tools/gotestsum@v1.13.0
ci=false
case "${CI:-}" in 1 | t | T | true | TRUE | True) ci=true ;; esac

have() { command -v "$1" >/dev/null 2>&1; }
have_browser() { have chromium || have chromium-browser || have google-chrome; }
cc=$(go env CC)

missing_packages() {
  local need=()
  have "$cc" || need+=(gcc)
  { have prometheus && have promtool; } || need+=(prometheus)
  have_browser || need+=(chromium)
  have systemd-analyze || need+=(systemd)
  have pdftotext || need+=(poppler-utils)
  have curl || need+=(curl)
  have make || need+=(make)
  echo "${need[@]}"
}

# --- 1. install what is missing, when we can
read -r -a need <<<"$(missing_packages)"
if [ ${#need[@]} -gt 0 ]; then
  sudo=""
  if [ "${SRE_NO_INSTALL:-}" = 1 ]; then
    why="SRE_NO_INSTALL=1"
  elif ! have apt-get; then
    why="no apt-get on this machine"
  elif [ "$(id -u)" -ne 0 ] && ! { have sudo && sudo -n true 2>/dev/null; }; then
    why="not root, and sudo is missing or asks for a password"
  else
    why=""
    [ "$(id -u)" -ne 0 ] && sudo=sudo
  fi
  if [ -n "$why" ]; then
    echo "--- not installing ${need[*]}: $why"
  else
    echo "--- installing ${need[*]} from Debian"
    export DEBIAN_FRONTEND=noninteractive
    apt_install() { $sudo apt-get install -y -qq --no-install-recommends "$@" >/dev/null; }
    if $sudo apt-get update -qq; then
      # One package that does not install (systemd in some containers, say)
      # must not keep the others out.
      apt_install "${need[@]}" || for p in "${need[@]}"; do
        apt_install "$p" || echo "    could not install $p"
      done
    else
      echo "    apt-get update failed; installing nothing"
    fi
    # The prometheus package may start a server on :9090; the tests start
    # their own on free ports and do not need it.
  fi
fi

[ "${1:-}" = --install-only ] && exit 0

# --- 2. say what will skip, and why
race=(-race)
warnings=()
if ! have "$cc"; then
  race=()
  warnings+=("no C compiler ($cc): running WITHOUT -race, which needs cgo (Debian package gcc)")
elif [ "$(go env CGO_ENABLED)" != 1 ]; then
  race=()
  warnings+=("CGO_ENABLED=0: running WITHOUT -race, which needs cgo")
fi
if ! have prometheus; then
  warnings+=("no prometheus: dashboards TestDashboardsAgainstRealPrometheus (the end-to-end dashboard test) will skip (Debian package prometheus)")
fi
if ! have_browser; then
  warnings+=("no chromium: cmd/sre_workload_exporter TestReportInBrowser (the browser test of /report) will skip (Debian package chromium)")
fi
if have_browser && ! have pdftotext; then
  warnings+=("no pdftotext: cmd/sre_workload_exporter TestReportInBrowser (the browser test of /report and its PDF) will skip (Debian package poppler-utils)")
fi
if ! have systemd-analyze; then
  warnings+=("no systemd-analyze: the check of the example systemd unit will skip (Debian package systemd)")
fi
if [ ${#warnings[@]} -gt 0 ]; then
  echo "--- before the run"
  printf '    %s\n' "${warnings[@]}"
  if [ "$ci" = true ]; then
    echo "    CI=true: these skips are failures"
    if [ ${#race[@]} -eq 0 ]; then
      echo "CI=true and no -race: CI runs the tests with -race"
      exit 1
    fi
  fi
fi

# --- 3. run
[ $# -gt 0 ] || set -- ./...
echo "--- go test ${race[*]:+${race[*]} }$*"
status=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if GOBIN="$tmp" go install "$gotestsum" 2>"$tmp/build.log"; then
  "$tmp/gotestsum" --format pkgname --format-hide-empty-pkg -- "${race[@]}" "$@" || status=$?
else
  # No module proxy and no cached copy: the same tests, without the summary.
  echo "    could not build $gotestsum (no list of skipped tests at the end):"
  sed 's/^/    /' "$tmp/build.log"
  go test "${race[@]}" "$@" || status=$?
fi
# gotestsum has listed the skipped tests; a run without -race is no skip.
[ ${#race[@]} -gt 0 ] || echo "--- ran WITHOUT -race (see the top: no C compiler, or CGO_ENABLED=0)"
exit $status
