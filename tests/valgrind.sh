#!/usr/bin/env bash
# Runs a command under valgrind's memcheck and fails on any error or leak.
# Used on Release builds of tsgen and dockwright; a sanitized (ASan) binary
# cannot run under valgrind, so it is skipped (77) there.
set -u
command -v valgrind >/dev/null || { echo "valgrind not found (apt-get install valgrind): skipped"; exit 77; }
if nm "$1" 2>/dev/null | grep -q __asan_init; then
  echo "$1 is built with AddressSanitizer: valgrind cannot run it (skipped)"; exit 77
fi
exec valgrind --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect -q "$@"
