#!/usr/bin/env bash
# src/grammar.json must be exactly what grammar/dsl.js makes of grammar.js.
set -u
dir=${1:?usage: check_grammar_json.sh GRAMMAR_DIR}
command -v node >/dev/null || { echo "node not found (apt-get install nodejs): skipped"; exit 77; }
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
(cd "$dir" && node dsl.js grammar.js) > "$tmp" || exit 1
if ! cmp -s "$tmp" "$dir/src/grammar.json"; then
  echo "grammar/src/grammar.json is stale: run 'node grammar/dsl.js grammar/grammar.js > grammar/src/grammar.json'"
  diff "$dir/src/grammar.json" "$tmp" | head -20
  exit 1
fi
echo "grammar.json is up to date"
