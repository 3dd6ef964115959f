#!/usr/bin/env bash
# Bans unsafe or error-prone libc calls outside common/ (STYLE.md section 11):
# strcpy, sprintf, atoi, strtok and raw malloc (use xmalloc or an arena).
set -u
root=${1:?usage: check_banned.sh ROOT}
cd "$root" || exit 2
pattern='(^|[^a-zA-Z0-9_.>])(strcpy|strcat|sprintf|vsprintf|atoi|atol|strtok|gets|malloc|calloc|realloc)[[:space:]]*\('
hits=$(grep -nE "$pattern" $(find grammar/generator analyzer rules builder cli lsp \
        -name '*.c' -o -name '*.h' 2>/dev/null | grep -v '^grammar/generator/tests/' | sort) /dev/null \
       | grep -vE '^\S+:[0-9]+:\s*(/\*|\*|//)' || true)
if [ -n "$hits" ]; then
  echo "banned functions (use snprintf, strtol, xmalloc/arena, ...):"
  echo "$hits"
  exit 1
fi
echo "no banned functions"
