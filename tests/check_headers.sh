#!/usr/bin/env bash
# Each header compiles on its own (STYLE.md section 8): a one-line .c file
# per header, compiled with the include paths of the modules.
set -u
cc=${1:?usage: check_headers.sh CC ROOT MODINC}
root=${2:?}
modinc=${3:?}
cd "$root" || exit 2
incs=()
for d in "$modinc"/*/; do incs+=("-I$d"); done
for p in tree-sitter jansson; do
  incs+=($(pkg-config --cflags-only-I "$p" 2>/dev/null))
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
status=0
count=0
while IFS= read -r h; do
  count=$((count + 1))
  printf '#include "%s"\n' "$h" > "$tmp/one.c"
  if ! out=$("$cc" -std=c11 -D_POSIX_C_SOURCE=200809L -fsyntax-only -Wall -Wextra -Werror \
       -I"$root" -I"$(dirname "$root/$h")" "${incs[@]}" "$tmp/one.c" 2>&1); then
    echo "$h does not compile on its own:"
    echo "$out" | head -20
    status=1
  fi
done < <(find common grammar analyzer rules builder cli lsp tests -name '*.h' \
           -not -path 'grammar/src/*' -not -path '*/tests/*/*' | sort)
echo "$count headers checked"
exit $status
