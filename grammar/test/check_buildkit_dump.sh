#!/usr/bin/env bash
# Conformance with BuildKit's parser: for every buildkit/NAME.Dockerfile,
# `dockwright parse --format buildkit` must print exactly NAME.result (the
# AST dump BuildKit's parser tests print, derived from
# shared/spec/dockerfile.md, Appendix A).
set -u
dw=${1:?usage: check_buildkit_dump.sh DOCKWRIGHT DIR}
dir=${2:?}
fail=0
n=0
for df in "$dir"/*.Dockerfile; do
  n=$((n + 1))
  want=${df%.Dockerfile}.result
  if ! got=$("$dw" parse --format buildkit "$df"); then
    echo "FAIL $(basename "$df"): parse exited non-zero"; fail=1; continue
  fi
  if [ "$got" != "$(cat "$want")" ]; then
    echo "FAIL $(basename "$df"):"
    diff <(printf '%s\n' "$got") "$want" | sed 's/^/  /'
    fail=1
  fi
done
echo "$n BuildKit dump cases checked"
exit $fail
