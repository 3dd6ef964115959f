#!/usr/bin/env bash
# Proves that check_layering.sh catches forbidden includes: copies the
# source modules into a scratch tree, plants one violation at a time and
# requires the check to fail naming it, then requires the clean copy to pass.
set -u
root=${1:?usage: check_layering_selftest.sh ROOT}
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$root" && find common grammar analyzer rules builder cli lsp -type f \( -name '*.c' -o -name '*.h' \) \
   -not -path 'grammar/src/parser.c' -print0 | xargs -0 cp --parents -t "$tmp")

bash "$here/check_layering.sh" "$tmp" >/dev/null || { echo "clean tree fails the check"; exit 1; }

plant() { # file include-line expected-fragment
  local f=$tmp/$1
  cp "$f" "$f.orig"
  printf '%s\n' "$2" >> "$f"
  out=$(bash "$here/check_layering.sh" "$tmp")
  rc=$?
  mv "$f.orig" "$f"
  if [ $rc = 0 ] || ! grep -qF "$3" <<<"$out"; then
    echo "violation not caught: '$2' in $1 (rc=$rc, output: $out)"
    exit 1
  fi
}
plant common/arena.c '#include "analyzer/analyzer.h"' "module 'common' must not include"
plant analyzer/analyzer.h '#include "rules/rules.h"' "module 'analyzer' must not include"
plant builder/builder.h '#include "cli/cli.h"' "module 'builder' must not include"
plant lsp/lsp.h '#include "builder/builder.h"' "module 'lsp' must not include"
plant rules/registry.c '#include <tree_sitter/api.h>' "module 'rules' must not include <tree_sitter/api.h>"
plant common/span.c '#include "../rules/rules.h"' "bypasses the module table"
plant common/buf.c '#include <jansson.h>' "module 'common' must not include <jansson.h>"
echo "all planted violations were caught"
