#!/usr/bin/env bash
# Grammar benchmarks (issues #3 and #4): the time tsgen takes to generate the
# Dockerfile parser, and the generated parser's throughput over the
# real-world corpus (MB/s, files/s, peak RSS). Use a Release build:
#   cmake --workflow --preset release && tests/perf/bench_grammar.sh build/release
# Prints figures only; it asserts nothing.
set -eu
build=${1:?usage: bench_grammar.sh BUILD_DIR [CORPUS_DIR]}
here=$(cd "$(dirname "$0")/../.." && pwd)
corpus=${2:-$here/../shared/corpus/realworld}
tsgen=$build/tsgen
check=$build/tests/corpus_check
[ -x "$tsgen" ] && [ -x "$check" ] || { echo "build $build first (needs tsgen and tests/corpus_check)"; exit 2; }

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
best=
for i in 1 2 3 4 5; do
  s=$(date +%s%N)
  "$tsgen" "$here/grammar/src/grammar.json" -o "$out/parser.c" --node-types "$out/nt.json"
  e=$(date +%s%N)
  t=$(( (e - s) / 1000000 ))
  if [ -z "$best" ] || [ "$t" -lt "$best" ]; then best=$t; fi
done
echo "tsgen on grammar/src/grammar.json: best of 5 runs ${best} ms;" \
     "$(grep -c '' "$out/parser.c") lines of parser.c," \
     "$(sed -n 's/^#define STATE_COUNT //p' "$out/parser.c") parse states"
if [ -d "$corpus" ]; then
  "$check" --bench "$corpus" 20
else
  echo "corpus $corpus not found: parse throughput skipped"
fi
