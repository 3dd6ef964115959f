#!/usr/bin/env bash
# Tests of grammar/dsl.js (skip, 77, without node).
#   check_dsl.sh unit DSL TEST.js        runs the DSL's own tests
#   check_dsl.sh grammars DSL DIR        DIR/*/grammar.js must give the
#                                        committed DIR/*/grammar.json
set -u
mode=${1:?usage: check_dsl.sh unit|grammars DSL ARG}
dsl=${2:?}
arg=${3:?}
command -v node >/dev/null || { echo "node not found: skipping"; exit 77; }

case $mode in
  unit)
    exec node "$arg" "$dsl"
    ;;
  grammars)
    tmp=$(mktemp -d)
    trap 'rm -rf "$tmp"' EXIT
    status=0 count=0
    for js in "$arg"/*/grammar.js; do
      [ -e "$js" ] || continue
      dir=$(dirname "$js")
      name=$(basename "$dir")
      count=$((count + 1))
      if ! node "$dsl" "$js" >"$tmp/$name.json" 2>"$tmp/$name.err"; then
        echo "FAIL: $name: dsl.js failed:"
        cat "$tmp/$name.err"
        status=1
      elif ! cmp -s "$tmp/$name.json" "$dir/grammar.json"; then
        echo "FAIL: $name: grammar.json differs from what dsl.js writes (regenerate it with"
        echo "      node grammar/dsl.js $name/grammar.js -o $name/grammar.json):"
        diff -u "$dir/grammar.json" "$tmp/$name.json" | head -40
        status=1
      else
        echo "ok: $name"
      fi
    done
    [ "$count" -gt 0 ] || { echo "FAIL: no grammar.js under $arg"; exit 1; }
    exit $status
    ;;
  *)
    echo "usage: check_dsl.sh unit|grammars DSL ARG" >&2
    exit 2
    ;;
esac
