#!/usr/bin/env bash
# tools/new-rule on a scratch tree: files created, the registry line
# inserted in id order, and refusals (duplicate id, existing name, bad id,
# a name that names a remedy) that write nothing.
# Usage: new_rule_test.sh TOOL SOURCE_DIR
set -u
tool=${1:?usage: new_rule_test.sh TOOL SOURCE_DIR}
src=${2:?usage: new_rule_test.sh TOOL SOURCE_DIR}
command -v awk >/dev/null || exit 77
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/rules"
printf '/* header */\nRULE(DW001, syntax_error)\nRULE(DW301, apt_lists_not_cleaned)\n' \
  > "$tmp/rules/rules.def"
fail() { echo "FAIL: $*"; exit 1; }

bash "$tool" --root "$tmp" DW120 pointless-run-command >/dev/null || fail "scaffolding failed"
[ -f "$tmp/rules/pointless_run_command.c" ] || fail "no rule file"
[ -f "$tmp/rules/pointless_run_command/reports.Dockerfile" ] || fail "no triggering fixture"
[ -f "$tmp/rules/pointless_run_command/passes.Dockerfile" ] || fail "no passing fixture"
grep -q 'rule_DW120' "$tmp/rules/pointless_run_command.c" || fail "descriptor not named rule_DW120"
grep -q 'CAT_CORRECTNESS' "$tmp/rules/pointless_run_command.c" || fail "wrong category"
want=$'/* header */\nRULE(DW001, syntax_error)\nRULE(DW120, pointless_run_command)\nRULE(DW301, apt_lists_not_cleaned)'
[ "$(cat "$tmp/rules/rules.def")" = "$want" ] || fail "registry line not in id order: $(cat "$tmp/rules/rules.def")"
bash "$tool" --root "$tmp" DW615 invalid-definition-description >/dev/null || fail "append at the end failed"
[ "$(tail -n 1 "$tmp/rules/rules.def")" = "RULE(DW615, invalid_definition_description)" ] \
  || fail "last line not appended"

before=$(cat "$tmp/rules/rules.def")
for args in "DW120 other-name" "DW121 pointless-run-command" "DW12 x" "DW999 x" "DW122 use-tags" \
            "DW123 Bad_Name"; do
  # shellcheck disable=SC2086
  if bash "$tool" --root "$tmp" $args 2>/dev/null; then fail "accepted: $args"; fi
done
[ "$(cat "$tmp/rules/rules.def")" = "$before" ] || fail "a refused call changed rules.def"
[ ! -e "$tmp/rules/other_name.c" ] || fail "a refused call wrote a file"

# The template compiles against the real rule API when a compiler is around.
if command -v cc >/dev/null && [ -d "$src/analyzer" ]; then
  inc=$(mktemp -d)
  ln -s "$src/analyzer" "$inc/analyzer"
  ln -s "$src/common" "$inc/common"
  cc -std=c11 -Wall -Wextra -Werror -fsyntax-only -I "$inc" \
     "$tmp/rules/pointless_run_command.c" || { rm -rf "$inc"; fail "the template does not compile"; }
  rm -rf "$inc"
fi
echo "ok"
