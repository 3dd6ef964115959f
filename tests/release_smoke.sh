#!/usr/bin/env bash
# The Release build, tested. The sanitizers watch only the Debug build, and
# some bugs show only when optimised: a rule reading memory it never
# initialised, zlib reading a header whose scope had ended. This builds a
# Release tree beside the test build (kept between runs, so only the first
# run is slow), then runs every rule and corpus fixture through the Release
# fixture driver, the layer, extraction and analysis unit tests, memcheck
# over a lint of every fixture file with every rule, and a lint of the
# real-world corpus when ../shared is there.
#   tests/release_smoke.sh SRC_DIR BUILD_DIR
set -u
src=${1:?usage: release_smoke.sh SRC_DIR BUILD_DIR}
bin=${2:?usage: release_smoke.sh SRC_DIR BUILD_DIR}/release-smoke
mkdir -p "$bin" || exit 1
log=$bin.log
fail=0
cmake -S "$src" -B "$bin" -DCMAKE_BUILD_TYPE=Release -DDW_WERROR=ON >"$log" 2>&1 ||
  { tail -40 "$log"; echo "FAIL: configuring the Release tree"; exit 1; }
cmake --build "$bin" -j2 --target dockwright fixture_driver builder_test_layer \
  builder_test_extract builder_test_analysis >>"$log" 2>&1 ||
  { grep -E 'error|warning' "$log" | head -40; echo "FAIL: building the Release tree (-Werror)"; exit 1; }

mapfile -t fixtures < <(find "$src/rules" "$src/corpus" -name '*.Dockerfile' \
  ! -name '*.fixed.Dockerfile' ! -path '*.context/*' ! -path '*.fixed/*' | sort)
bad=0
for f in "${fixtures[@]}"; do
  "$bin/tests/fixture_driver" "$f" >"$bin.fixture.out" 2>&1
  rc=$?
  if [ $rc -ne 0 ] && [ $rc -ne 77 ]; then
    echo "FAIL: fixture ${f#"$src"/} (Release):"; head -20 "$bin.fixture.out"; bad=$((bad + 1))
  fi
done
echo "${#fixtures[@]} fixtures through the Release driver, $bad failed"
[ $bad -eq 0 ] || fail=1

for t in layer extract analysis; do
  "$bin/tests/builder_test_$t" >"$bin.unit.out" 2>&1 ||
    { tail -20 "$bin.unit.out"; echo "FAIL: builder_test_$t (Release)"; fail=1; }
done

lint=("$bin/dockwright" lint --select ALL --preview --failure-threshold none --format json)
if command -v valgrind >/dev/null; then
  valgrind -q --error-exitcode=99 "${lint[@]}" "${fixtures[@]}" >/dev/null 2>"$bin.memcheck"
  rc=$?
  if [ $rc -eq 99 ]; then
    head -60 "$bin.memcheck"; echo "FAIL: memcheck found errors linting the fixtures"; fail=1
  elif [ $rc -ne 0 ]; then
    tail -20 "$bin.memcheck"; echo "FAIL: lint of the fixtures under memcheck exited $rc"; fail=1
  else
    echo "memcheck: lint of ${#fixtures[@]} fixture files with every rule, no error"
  fi
else
  echo "valgrind not found: memcheck part skipped"
fi

corpus=$src/../shared/corpus/realworld
if [ -d "$corpus" ]; then
  find "$corpus" -type f ! -name MANIFEST.tsv ! -name '*.dockerignore' -print0 |
    xargs -0 "${lint[@]}" --jobs 2 >/dev/null 2>"$bin.corpus.err"
  rc=$?
  [ $rc -eq 0 ] || { tail -20 "$bin.corpus.err"; echo "FAIL: Release lint of $corpus exited $rc"; fail=1; }
fi
exit $fail
