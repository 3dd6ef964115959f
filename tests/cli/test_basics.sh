#!/usr/bin/env bash
# The command line's basic contract: --version, --help, help CMD, and exit
# code 2 with a one-line hint for unknown commands and options.
set -u
dw=${1:?usage: test_basics.sh DOCKWRIGHT}
fail=0
check() { # description, expected rc, actual rc
  if [ "$2" != "$3" ]; then echo "FAIL: $1 (exit $3, want $2)"; fail=1; fi
}
expect_out() { # description, pattern, text
  if ! grep -qE "$2" <<<"$3"; then echo "FAIL: $1: output lacks /$2/:"; echo "$3"; fail=1; fi
}

out=$("$dw" --version); check "--version" 0 $?
expect_out "--version" '^dockwright [0-9]+\.[0-9]+\.[0-9]+' "$out"
out=$("$dw" version); check "version" 0 $?
out=$("$dw" --help); check "--help" 0 $?
expect_out "--help lists commands" 'commands:' "$out"
expect_out "--help lists help" '^  help ' "$out"
out=$("$dw" help version); check "help version" 0 $?
expect_out "help version" '^usage: dockwright version' "$out"
out=$("$dw" version --help); check "version --help" 0 $?
expect_out "version --help" '^usage: dockwright version' "$out"

err=$("$dw" frobnicate 2>&1 >/dev/null); check "unknown command" 2 $?
expect_out "unknown command hint" "^dockwright: 'frobnicate' is not a dockwright command; see 'dockwright --help'$" "$err"
[ "$(wc -l <<<"$err")" = 1 ] || { echo "FAIL: unknown command message is not one line"; fail=1; }
err=$("$dw" --frob 2>&1 >/dev/null); check "unknown option" 2 $?
expect_out "unknown option hint" "unknown option '--frob'" "$err"
err=$("$dw" help frobnicate 2>&1 >/dev/null); check "help of unknown command" 2 $?
"$dw" >/dev/null 2>&1; check "no command" 2 $?
err=$("$dw" version extra 2>&1 >/dev/null); check "version with an argument" 2 $?

[ $fail = 0 ] && echo "cli basics: all passed"
exit $fail
