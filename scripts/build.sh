#!/bin/sh
# Builds the static sre_workload_exporter binary. This is the one place where
# the version ldflags are set; the Makefile, the Dockerfile and CI call it.
# Usage: scripts/build.sh [output path]
set -eu
cd "$(dirname "$0")/.."
out=${1:-sre_workload_exporter}
pkg=github.com/prometheus/common/version
version=$(cat VERSION)
revision=$(git rev-parse HEAD 2>/dev/null || echo unknown)
branch=$(git rev-parse --abbrev-ref HEAD 2>/dev/null || echo unknown)
user=$(id -un 2>/dev/null || echo unknown)
date=$(date -u +%Y%m%d-%H:%M:%S)
CGO_ENABLED=0 go build -trimpath -tags netgo,osusergo \
  -ldflags "-s -w -X $pkg.Version=$version -X $pkg.Revision=$revision -X $pkg.Branch=$branch -X $pkg.BuildUser=$user -X $pkg.BuildDate=$date" \
  -o "$out" ./cmd/sre_workload_exporter
