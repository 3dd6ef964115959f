#!/usr/bin/env bash
# `dockwright rules` (table and JSON) and `dockwright explain` (ids, names,
# hadolint ids, any case; unknown names: exit 2 with a did-you-mean).
set -u
dw=${1:?usage: test_rules.sh DOCKWRIGHT}
fail=0
check() { if [ "$2" != "$3" ]; then echo "FAIL: $1 (exit $3, want $2)"; fail=1; fi; }
has() { if ! grep -qF -- "$2" <<<"$3"; then echo "FAIL: $1: output lacks '$2':"; echo "$3" | head -20; fail=1; fi; }

out=$("$dw" rules); check "rules" 0 $?
has "rules header" "ID     NAME" "$out"
has "rules columns" "SEVERITY  CATEGORY" "$out"
has "DW001 row" "DW001  syntax-error" "$out"
has "DW002 row" "DW002  unknown-instruction" "$out"
# One row per rule, in id order.
ids=$(tail -n +2 <<<"$out" | cut -d' ' -f1)
[ "$ids" = "$(sort <<<"$ids")" ] || { echo "FAIL: rules not sorted by id"; fail=1; }
out=$("$dw" rules --format json); check "rules json" 0 $?
if command -v python3 >/dev/null; then
  python3 -c '
import json, sys
j = json.loads(sys.stdin.read())
ids = [r["id"] for r in j["rules"]]
assert "DW001" in ids and "DW002" in ids, ids
for r in j["rules"]:
    for k in ("id", "name", "severity", "category", "fix", "status", "summary", "aliases"):
        assert k in r, k
' <<<"$out" || { echo "FAIL: rules json"; fail=1; }
fi
err=$("$dw" rules --format xml 2>&1); check "rules bad format" 2 $?
err=$("$dw" rules extra 2>&1); check "rules with an argument" 2 $?

for name in DW002 dw002 unknown-instruction; do
  out=$("$dw" explain "$name"); check "explain $name" 0 $?
  has "explain $name header" "# DW002: unknown-instruction" "$out"
  has "explain $name severity" "Severity:  error" "$out"
  has "explain $name fix" "Fix:       sometimes" "$out"
  has "explain $name doc" "## What it does" "$out"
done
out=$("$dw" explain DW001); check "explain DW001" 0 $?
has "explain aliases" "Aliases:   DL1000" "$out"
out=$("$dw" explain DL1000); check "explain a hadolint id" 0 $?
has "explain hadolint id" "# DW001: syntax-error" "$out"
err=$("$dw" explain unknown-instructoin 2>&1 >/dev/null); check "explain misspelt" 2 $?
has "did you mean" "unknown rule 'unknown-instructoin' (did you mean 'unknown-instruction'?)" "$err"
err=$("$dw" explain zzzzzzzzzz 2>&1 >/dev/null); check "explain unknown" 2 $?
has "unknown rule" "unknown rule 'zzzzzzzzzz'" "$err"
err=$("$dw" explain 2>&1 >/dev/null); check "explain without a rule" 2 $?

[ $fail = 0 ] && echo "cli rules/explain: all passed"
exit $fail
