#!/usr/bin/env bash
# clang-format over the project's own C sources; generated files
# (grammar/src/parser.c and the generator's test parsers) are exempt.
set -u
mode=${1:?usage: format.sh --check|--fix ROOT}
root=${2:?}
cd "$root" || exit 2
command -v clang-format >/dev/null || { echo "clang-format not found: apt-get install clang-format"; exit 2; }
git -C "$root" rev-parse --git-dir >/dev/null 2>&1 || { echo "not a git checkout: nothing to check"; exit 77; }
files=$(git ls-files '*.c' '*.h' 2>/dev/null | grep -vE '^grammar/src/parser\.c$|/generated/|^grammar/generator/tests/.*/parser\.c$')
[ -n "$files" ] || exit 0
if [ "$mode" = --fix ]; then
  clang-format -i $files
else
  clang-format --dry-run --Werror $files
fi
