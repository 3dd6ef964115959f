#!/usr/bin/env bash
# Runs every libFuzzer target of a fuzz build for SECONDS each (default 60),
# seeded from the project's own inputs, and turns a crash into a non-zero
# exit. Build first: cmake --preset fuzz && cmake --build --preset fuzz
#   tests/fuzz/run.sh build/fuzz [SECONDS] [TARGET...]
set -u
build=${1:?usage: run.sh BUILD_DIR [SECONDS] [TARGET...]}
secs=${2:-60}
shift $(( $# >= 2 ? 2 : 1 ))
root=$(cd "$(dirname "$0")/../.." && pwd)
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=($(cd "$build/tests/fuzz" && ls fuzz_* 2>/dev/null))
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
seed() { # target -> seed directory
  local d=$work/seed-$1
  mkdir -p "$d"
  case $1 in
    fuzz_grammar|fuzz_shell|fuzz_expand|fuzz_lint)
      find "$root/grammar/test/buildkit" "$root/corpus" -type f -name '*Dockerfile*' -exec cp {} "$d" \; 2>/dev/null ;;
    fuzz_tsgen)
      find "$root/grammar/generator/tests/grammars" -name grammar.json -size -4k | while read -r f; do
        cp "$f" "$d/$(basename "$(dirname "$f")").json"; done ;;
    fuzz_dockerignore)
      printf 'node_modules\n**/*.log\n!keep.log\n/build/\n' > "$d/a" ;;
    fuzz_registry_ref)
      printf 'alpine:3.20' > "$d/a"
      printf 'localhost:5000/a/b:1@sha256:%064d' 0 > "$d/b" ;;
    fuzz_registry_auth)
      printf 'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/alpine:pull"' > "$d/a"
      printf '{"auths":{"x.io":{"auth":"dTpw"}}}' > "$d/b"
      printf '{"schemaVersion":2,"manifests":[]}' > "$d/c" ;;
    fuzz_config)
      printf 'select: [DW1]\nignore:\n  - DW301\nfailure-threshold: info\n' > "$d/a" ;;
  esac
  echo "$d"
}
status=0
for t in "${targets[@]}"; do
  bin=$build/tests/fuzz/$t
  [ -x "$bin" ] || { echo "$t: not built"; status=1; continue; }
  dir=$(seed "$t")
  if "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -artifact_prefix="$work/$t-" \
       "$dir" > "$work/$t.log" 2>&1; then
    echo "$t: ok ($(grep -o 'Done [0-9]* runs' "$work/$t.log" | tail -1))"
  else
    echo "$t: FAILED"; tail -30 "$work/$t.log"; status=1
  fi
done
exit $status
