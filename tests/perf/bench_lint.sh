#!/usr/bin/env bash
# Lint benchmark (issue #5), all figures from one run on the same files:
#  - the floor: parsing every file with the grammar, twice: in a warm loop
#    inside one process (corpus_check --bench: files already in memory, best
#    of 20 rounds), and as a process timed exactly as lint is (corpus_check
#    --parse: start-up, reading and freeing included, best of 3);
#  - dockwright lint with every rule on, single-threaded and with --jobs 2,
#    and its peak RSS;
#  - one process per file, as pre-commit and editors call linters, beside
#    /bin/true (process start-up alone) and the Node.js dockerfile-utils
#    validator's CLI;
#  - the whole corpus in one process: dockwright vs dockerfile-utils used as
#    a library, both with the files already in memory (bench_lint_lib: parse,
#    model and every rule, one thread), and dockwright's whole CLI process.
# Use a Release build: tests/perf/bench_lint.sh build/release [CORPUS]
# dockerfile-utils is installed from the npm registry into a temporary
# directory (skipped when npm or the registry is unavailable). Figures only.
set -u
build=${1:?usage: bench_lint.sh BUILD_DIR [CORPUS_DIR]}
here=$(cd "$(dirname "$0")/../.." && pwd)
corpus=${2:-$here/../shared/corpus/realworld}
dw=$build/dockwright
[ -x "$dw" ] && [ -x "$build/tests/corpus_check" ] || { echo "build $build first"; exit 2; }
[ -d "$corpus" ] || { echo "corpus $corpus not found"; exit 77; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
find "$corpus" -type f ! -name MANIFEST.tsv ! -name '*.dockerignore' | sort > "$work/files"
n=$(wc -l < "$work/files")
bytes=$(xargs cat < "$work/files" | wc -c)
echo "corpus: $n files, $bytes bytes"
all="--select DW0,DW1,DW2,DW3,DW4,DW5,DW6 --preview --failure-threshold none --format json"

now() { date +%s%N; }
best_of() { # runs "$@" 3 times, prints the best wall time in ms
  local best=
  for _ in 1 2 3; do
    local s; s=$(now); "$@" > /dev/null 2>&1; local e; e=$(now)
    local t=$(( (e - s) / 1000000 ))
    if [ -z "$best" ] || [ "$t" -lt "$best" ]; then best=$t; fi
  done
  echo "$best"
}

warm=$("$build/tests/corpus_check" --bench "$corpus" 20)
echo "parse floor, warm loop in one process: $warm"
tw=$(printf '%s\n' "$warm" | sed -n 's/.*rounds: \([0-9.]*\) ms.*/\1/p')
tp=$(best_of xargs -a "$work/files" "$build/tests/corpus_check" --parse)
echo "parse floor, one process reading and parsing every file: ${tp} ms"
# shellcheck disable=SC2086
t1=$(best_of xargs -a "$work/files" "$dw" lint $all --jobs 1)
# shellcheck disable=SC2086
t2=$(best_of xargs -a "$work/files" "$dw" lint $all --jobs 2)
echo "lint, all rules, --jobs 1: ${t1} ms ($(( n * 1000 / (t1 ? t1 : 1) )) files/s, $(( bytes / 1000 / (t1 ? t1 : 1) )) MB/s)"
echo "lint, all rules, --jobs 2: ${t2} ms ($(( n * 1000 / (t2 ? t2 : 1) )) files/s)"
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b ? a / b : 0) }'; }
echo "lint --jobs 1 / parse floor: $(ratio "$t1" "$tp")x the floor as a process, $(ratio "$t1" "$tw")x the warm loop"
if [ "${DW_BENCH_INSTR:-0}" = 1 ] && command -v valgrind >/dev/null; then
  # Instruction counts do not depend on what else the machine is doing.
  instr() { valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" 2>&1 >/dev/null |
    sed -n 's/.*Collected : *\([0-9]*\).*/\1/p'; }
  # shellcheck disable=SC2046
  ip=$(instr "$build/tests/corpus_check" --parse $(cat "$work/files"))
  # shellcheck disable=SC2046,SC2086
  il=$(instr "$dw" lint $all --jobs 1 $(cat "$work/files"))
  echo "instructions (callgrind): parse floor as a process $ip, lint --jobs 1 $il ($(ratio "$il" "$ip")x)"
fi
if [ -x /usr/bin/time ]; then
  # shellcheck disable=SC2086
  rss=$( { xargs -a "$work/files" /usr/bin/time -f '%M' "$dw" lint $all --jobs 1 > /dev/null; } 2>&1 | tail -1)
  echo "lint peak RSS (--jobs 1): ${rss} KiB"
fi

per_file() { # label command...: runs the command once per file
  local label=$1; shift
  local s; s=$(now)
  while read -r f; do "$@" "$f" < /dev/null > /dev/null 2>&1; done < "$work/files"
  local e; e=$(now)
  local ms=$(( (e - s) / 1000000 ))
  echo "one process per file, $label: ${ms} ms total, $(( ms * 1000 / n )) us per file"
}
per_file "/bin/true" /bin/true
# shellcheck disable=SC2086
per_file "dockwright lint" "$dw" lint $all

if command -v npm >/dev/null && (cd "$work" && timeout 120 npm install --silent dockerfile-utils@0.16.1 >/dev/null 2>&1); then
  du=$work/node_modules/.bin/dockerfile-utils
  per_file "dockerfile-utils lint" "$du" lint
  cat > "$work/lib.js" <<'JS'
const fs = require('fs');
const { validate } = require('dockerfile-utils');
const files = fs.readFileSync(process.argv[2], 'utf8').split('\n').filter(Boolean);
const texts = files.map((f) => fs.readFileSync(f, 'utf8'));
let best = Infinity;
for (let r = 0; r < 3; r++) {
  const t0 = process.hrtime.bigint();
  let n = 0;
  for (const t of texts) n += validate(t).length;
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (ms < best) best = ms;
}
console.log(best.toFixed(0));
JS
  lib=$(cd "$work" && node lib.js "$work/files")
  echo "one process, dockerfile-utils validate() as a library: ${lib} ms (files already in memory)"
  echo "dockwright lint over all files in one process is $(ratio "$lib" "$t1")x faster with --jobs 1, $(ratio "$lib" "$t2")x with --jobs 2"
  if [ -x "$build/tests/bench_lint_lib" ]; then
    # Library against library: files in memory, one thread, best of 10.
    ll=$(xargs -a "$work/files" "$build/tests/bench_lint_lib" 10)
    tl=$(printf '%s\n' "$ll" | sed -n 's/.*rounds: \([0-9.]*\) ms.*/\1/p')
    echo "dockwright as a library (bench_lint_lib, one thread): $ll"
    echo "library against library: dockwright $(ratio "$lib" "$tl")x faster than dockerfile-utils"
  fi
else
  echo "dockerfile-utils: npm or the registry unavailable, skipped"
fi
