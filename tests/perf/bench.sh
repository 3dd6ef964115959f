#!/usr/bin/env bash
# The `bench` target: every lint-side benchmark in turn, figures only (the
# build benchmark, which needs root and buildah, is `bench-build`).
#   tests/perf/bench.sh BUILD_DIR
# A benchmark whose input is missing (exit 77: no ../shared corpus) is
# reported as skipped; any other failure fails the target.
set -u
build=${1:?usage: bench.sh BUILD_DIR}
here=$(cd "$(dirname "$0")" && pwd)
status=0
for b in bench_grammar bench_startup bench_lint; do
  echo "== $b"
  bash "$here/$b.sh" "$build"
  rc=$?
  if [ "$rc" = 77 ]; then
    echo "$b: skipped (input missing)"
  elif [ "$rc" != 0 ]; then
    echo "$b: failed (exit $rc)"
    status=1
  fi
done
exit "$status"
