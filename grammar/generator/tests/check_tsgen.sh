#!/usr/bin/env bash
# Command-line checks of tsgen.
#   check_tsgen.sh determinism TSGEN DIR       tsgen twice on DIR/*/grammar.json
#                                              gives identical bytes
#   check_tsgen.sh rejected TSGEN JSON EXPECT  tsgen JSON exits 1, every
#                                              non-empty line of EXPECT is in
#                                              its message, and no output file
#                                              is left behind
#   check_tsgen.sh runner-selftest RUNNER CORPUS the corpus runner reports the
#                                              wrong expectations of CORPUS
set -u
mode=${1:?usage: check_tsgen.sh determinism|rejected TSGEN ...}
tsgen=${2:?}
[ -x "$tsgen" ] || { echo "tsgen not built: skipping"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

case $mode in
  determinism)
    dir=${3:?}
    status=0 count=0
    for json in "$dir"/*/grammar.json; do
      [ -e "$json" ] || continue
      name=$(basename "$(dirname "$json")")
      count=$((count + 1))
      ok=1
      for run in 1 2; do
        if ! "$tsgen" "$json" -o "$tmp/$name.$run.c" --node-types "$tmp/$name.$run.json" \
             >"$tmp/$name.log" 2>&1; then
          echo "FAIL: $name: tsgen failed (run $run):"
          head -20 "$tmp/$name.log"
          ok=0 status=1
          break
        fi
      done
      [ $ok = 1 ] || continue
      if ! cmp -s "$tmp/$name.1.c" "$tmp/$name.2.c"; then
        echo "FAIL: $name: parser.c differs between two runs:"
        diff "$tmp/$name.1.c" "$tmp/$name.2.c" | head -20
        status=1
      elif ! cmp -s "$tmp/$name.1.json" "$tmp/$name.2.json"; then
        echo "FAIL: $name: node-types.json differs between two runs:"
        diff "$tmp/$name.1.json" "$tmp/$name.2.json" | head -20
        status=1
      else
        echo "ok: $name"
      fi
    done
    [ "$count" -gt 0 ] || { echo "FAIL: no grammar.json under $dir"; exit 1; }
    exit $status
    ;;
  rejected)
    json=${3:?}
    expect=${4:?}
    [ -r "$expect" ] || { echo "FAIL: missing $expect"; exit 1; }
    "$tsgen" "$json" -o "$tmp/parser.c" >"$tmp/out" 2>&1
    rc=$?
    status=0
    if [ $rc != 1 ]; then
      echo "FAIL: tsgen exited with $rc, want 1"
      status=1
    fi
    while IFS= read -r want || [ -n "$want" ]; do
      [ -n "$want" ] || continue
      if ! grep -qF -- "$want" "$tmp/out"; then
        echo "FAIL: the message lacks: $want"
        status=1
      fi
    done <"$expect"
    if [ -e "$tmp/parser.c" ]; then
      echo "FAIL: tsgen left an output file behind"
      status=1
    fi
    if [ "$(wc -l <"$tmp/out")" -gt 200 ]; then
      echo "FAIL: the message is longer than 200 lines"
      status=1
    fi
    echo "tsgen said:"
    cat "$tmp/out"
    exit $status
    ;;
  runner-selftest)
    corpus=${3:?}
    "$tsgen" "$corpus" >"$tmp/out" 2>&1
    rc=$?
    cat "$tmp/out"
    if grep -q "no parser: tsgen failed" "$tmp/out"; then
      echo "the grammar has no parser yet: skipping"
      exit 77
    fi
    status=0
    [ $rc = 1 ] || { echo "FAIL: the runner exited with $rc, want 1"; status=1; }
    for want in "ok 1 - Right" "FAIL 2 - Wrong tree" "tree differs (- expected, + actual)" \
                "FAIL 3 - Marked as an error" "expected an error (:error)" "passed, 2 failed"; do
      grep -qF -- "$want" "$tmp/out" || { echo "FAIL: the output lacks: $want"; status=1; }
    done
    exit $status
    ;;
  *)
    echo "usage: check_tsgen.sh determinism|rejected|runner-selftest TSGEN ..." >&2
    exit 2
    ;;
esac
