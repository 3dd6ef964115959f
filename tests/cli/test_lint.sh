#!/usr/bin/env bash
# `dockwright lint` end to end: exit codes 0/1/2, every output format on a
# fixture, standard input with --stdin-filename, discovery (names found,
# folders skipped), --jobs 1 vs 4, --fix (atomic, mode kept, a failed write
# leaves the original), --diff writes nothing, config precedence, colours.
# Uses only DW001 (syntax-error) and DW002 (unknown-instruction, unsafe fix),
# the rules that exist from the start; the inputs end with a non-root USER so
# that DW401 (root-user) stays silent on them.
set -u
dw=${1:?usage: test_lint.sh DOCKWRIGHT}
case $dw in /*) ;; *) dw=$PWD/$dw ;; esac
tmp=$(mktemp -d "${TMPDIR:-/tmp}/dw-lint-XXXXXX") || exit 2
trap 'chmod -R u+w "$tmp" 2>/dev/null; rm -rf "$tmp"' EXIT
cd "$tmp" || exit 2
unset NO_COLOR DOCKWRIGHT_NO_COLOR DOCKWRIGHT_CONFIG DOCKWRIGHT_FORMAT DOCKWRIGHT_SELECT \
  DOCKWRIGHT_IGNORE DOCKWRIGHT_FAILURE_THRESHOLD GITHUB_ACTIONS XDG_CONFIG_HOME
export HOME=$tmp/home
mkdir -p "$HOME"

fail=0
check() { # description, expected rc, actual rc
  if [ "$2" != "$3" ]; then echo "FAIL: $1 (exit $3, want $2)"; fail=1; fi
}
has() { # description, fixed string, text
  if ! grep -qF -- "$2" <<<"$3"; then echo "FAIL: $1: output lacks '$2':"; echo "$3" | head -40; fail=1; fi
}
lacks() {
  if grep -qF -- "$2" <<<"$3"; then echo "FAIL: $1: output has '$2':"; echo "$3" | head -40; fail=1; fi
}
same() { # description, expected, actual
  if [ "$2" != "$3" ]; then
    echo "FAIL: $1"; diff <(echo "$2") <(echo "$3") | head -30; fail=1
  fi
}
have_python=0
command -v python3 >/dev/null && have_python=1

bad='FROM alpine:3.20
FORM x
RUN echo ok
USER nobody
'
good='FROM alpine:3.20
RUN echo ok
USER nobody
'
# What --fix --unsafe-fixes makes of $bad (no final newline: $( ) drops it).
bad_fixed=$(printf 'FROM alpine:3.20\nFROM x\nRUN echo ok\nUSER nobody')

# ---- exit codes ------------------------------------------------------------
mkdir -p p && cd p
printf '%s' "$good" > Dockerfile
out=$("$dw" lint Dockerfile); check "clean file" 0 $?
same "clean tty report" "no problems in 1 file" "$out"
printf '%s' "$bad" > Dockerfile
out=$("$dw" lint Dockerfile); check "findings" 1 $?
has "tty header" "Dockerfile:2:1: error[DW002 unknown-instruction] unknown instruction 'FORM'" "$out"
has "tty frame" "2 | FORM x" "$out"
has "tty carets and fix" "  | ^^^^ (unsafe fix:" "$out"
has "tty summary" "1 problem (1 error) in 1 of 1 file; 1 fixable with --fix --unsafe-fixes" "$out"
"$dw" lint --failure-threshold none Dockerfile >/dev/null; check "threshold none" 0 $?
"$dw" lint --failure-threshold error Dockerfile >/dev/null; check "threshold error" 1 $?
"$dw" lint --ignore DW002 Dockerfile >/dev/null; check "--ignore by id" 0 $?
"$dw" lint --ignore unknown-instruction Dockerfile >/dev/null; check "--ignore by name" 0 $?
err=$("$dw" lint --frob Dockerfile 2>&1 >/dev/null); check "unknown option" 2 $?
has "unknown option message" "unknown option '--frob'" "$err"
err=$("$dw" lint --format xml Dockerfile 2>&1 >/dev/null); check "bad format" 2 $?
has "bad format message" "format" "$err"
err=$("$dw" lint --jobs x Dockerfile 2>&1 >/dev/null); check "bad --jobs" 2 $?
err=$("$dw" lint --failure-threshold loud Dockerfile 2>&1 >/dev/null); check "bad threshold" 2 $?
has "bad threshold message" "failure-threshold" "$err"
err=$("$dw" lint missing/Dockerfile 2>&1 >/dev/null); check "missing file" 2 $?
has "missing file message" "cannot read 'missing/Dockerfile'" "$err"
[ "$(wc -l <<<"$err")" = 1 ] || { echo "FAIL: missing file: not one line: $err"; fail=1; }
err=$("$dw" lint --config nope.yaml Dockerfile 2>&1 >/dev/null); check "missing --config" 2 $?
has "missing config message" "nope.yaml" "$err"
printf 'select: [DW001\nignore: x\n' > broken.yaml
err=$("$dw" lint --config broken.yaml Dockerfile 2>&1 >/dev/null); check "malformed config" 2 $?
has "malformed config location" "broken.yaml:" "$err"
printf 'failure-threshold: loud\n' > wrong.yaml
err=$("$dw" lint --config wrong.yaml Dockerfile 2>&1 >/dev/null); check "config with a bad value" 2 $?
has "bad config value location" "wrong.yaml:1:" "$err"
err=$("$dw" lint --context nowhere Dockerfile 2>&1 >/dev/null); check "bad --context" 2 $?
# One unreadable file does not stop the others: they are reported, exit 2.
printf '%s' "$good" > ok.Dockerfile
out=$("$dw" lint --format gnu Dockerfile nothere.Dockerfile 2>/dev/null); check "one file missing" 2 $?
has "others still linted" "Dockerfile:2:1: error:" "$out"
cd "$tmp"

# ---- every format on the fixture ---------------------------------------------
mkdir -p f/app && cd f
printf '%s' "$bad" > app/Dockerfile
printf '%s' "$good" > app/clean.Dockerfile
out=$("$dw" lint --format gnu app); check "gnu" 1 $?
same "gnu report" "app/Dockerfile:2:1: error: unknown instruction 'FORM' (did you mean 'FROM'?) [DW002]" "$out"
out=$("$dw" lint --format github app/Dockerfile); check "github" 1 $?
has "github annotation" "::error file=app/Dockerfile,line=2,endLine=2,col=1,endColumn=5,title=DW002 unknown-instruction::unknown instruction 'FORM'" "$out"
has "github summary" "dockwright: 1 problem (1 error) in 1 of 1 file" "$out"
out=$("$dw" lint --format checkstyle app); check "checkstyle" 1 $?
has "checkstyle header" '<checkstyle version="4.3">' "$out"
has "checkstyle error" '<file name="app/Dockerfile">' "$out"
has "checkstyle attrs" '<error line="2" column="1" severity="error" message="unknown instruction &apos;FORM&apos;' "$out"
lacks "checkstyle leaves clean files out" 'clean.Dockerfile' "$out"
for fmt in json sarif gitlab; do
  "$dw" lint --format $fmt app > out.$fmt; check "$fmt" 1 $?
done
if [ $have_python = 1 ]; then
  python3 - <<'EOF' || fail=1
import json, sys
ok = True
def want(cond, what):
    global ok
    if not cond:
        print("FAIL:", what); ok = False
j = json.load(open("out.json"))
want(j["version"] == 1 and j["rule_set"] >= 1, "json version")
paths = [f["path"] for f in j["files"]]
want(paths == ["app/Dockerfile", "app/clean.Dockerfile"], "json files in path order: %r" % paths)
x = j["files"][0]["findings"][0]
for k in ["rule", "name", "severity", "line", "column", "end_line", "end_column", "message", "aliases", "fix"]:
    want(k in x, "json finding key " + k)
want(x["rule"] == "DW002" and x["line"] == 2 and x["column"] == 1 and x["end_column"] == 5, "json position")
want(x["fix"]["applicability"] == "unsafe" and x["fix"]["edits"][0]["text"] == "FROM", "json fix")
want(j["summary"]["errors"] == 1, "json summary")
s = json.load(open("out.sarif"))
want(s["version"] == "2.1.0" and "sarif" in s["$schema"], "sarif header")
run = s["runs"][0]
want(run["columnKind"] in ("utf16CodeUnits", "unicodeCodePoints"), "sarif columnKind")
rules = run["tool"]["driver"]["rules"]
want(any(r["id"] == "DW002" for r in rules), "sarif rules")
for r in rules:
    for k in ["id", "name", "shortDescription", "fullDescription", "help", "helpUri", "defaultConfiguration"]:
        want(k in r, "sarif rule key " + k)
    want(r["defaultConfiguration"]["level"] in ("none", "note", "warning", "error"), "sarif default level")
res = run["results"]
want(len(res) == 1, "sarif one result")
r = res[0]
want(rules[r["ruleIndex"]]["id"] == r["ruleId"] == "DW002", "sarif ruleIndex")
want(r["level"] in ("none", "note", "warning", "error"), "sarif level")
loc = r["locations"][0]["physicalLocation"]
want(loc["artifactLocation"]["uri"] == "app/Dockerfile", "sarif uri")
reg = loc["region"]
want((reg["startLine"], reg["startColumn"], reg["endLine"], reg["endColumn"]) == (2, 1, 2, 5), "sarif region %r" % reg)
rep = r["fixes"][0]["artifactChanges"][0]["replacements"][0]
want(rep["insertedContent"]["text"] == "FROM" and rep["deletedRegion"]["startLine"] == 2, "sarif fix")
want("primaryLocationLineHash" in r["partialFingerprints"], "sarif fingerprint")
g = json.load(open("out.gitlab"))
want(len(g) == 1 and g[0]["check_name"] == "DW002" and g[0]["severity"] == "major", "gitlab issue")
want(g[0]["location"] == {"path": "app/Dockerfile", "lines": {"begin": 2, "end": 2}}, "gitlab location")
want(len(g[0]["fingerprint"]) == 32, "gitlab fingerprint")
sys.exit(0 if ok else 1)
EOF
fi
# The GitLab fingerprint does not move with the line.
fp1=$(grep -o '"fingerprint": "[0-9a-f]*"' out.gitlab)
printf '# comment\n\n%s' "$bad" > app/Dockerfile
fp2=$("$dw" lint --format gitlab app/Dockerfile | grep -o '"fingerprint": "[0-9a-f]*"')
same "gitlab fingerprint stable when lines move" "$fp1" "$fp2"
cd "$tmp"

# ---- standard input ------------------------------------------------------------
mkdir -p s/sub && cd s
out=$(printf '%s' "$bad" | "$dw" lint --format gnu -); check "stdin" 1 $?
has "stdin path" "-:2:1: error:" "$out"
out=$(printf '%s' "$bad" | "$dw" lint --format gnu --stdin-filename sub/Dockerfile -); check "stdin named" 1 $?
has "stdin named path" "sub/Dockerfile:2:1: error:" "$out"
# The name decides which config applies.
printf 'ignore: [DW002]\n' > sub/.dockwright.yaml
out=$(printf '%s' "$bad" | "$dw" lint --stdin-filename sub/Dockerfile -); check "stdin config from its name" 0 $?
# --fix on standard input: the fixed text on stdout, the report on stderr.
out=$(printf '%s' "$bad" | "$dw" lint --fix --unsafe-fixes - 2>report); check "stdin --fix" 0 $?
same "stdin fixed text" "$bad_fixed" "$out"
has "stdin --fix report on stderr" "fixed 1 problem in 1 file" "$(cat report)"
out=$(printf '%s' "$good" | "$dw" lint --fix - 2>/dev/null); check "stdin --fix unchanged" 0 $?
same "stdin unchanged text" "$(printf '%s' "$good")" "$out"
cd "$tmp"

# ---- discovery -----------------------------------------------------------------
mkdir -p d && cd d
for f in Dockerfile Containerfile api.Dockerfile Dockerfile.dev dockerfile Dockerfile-prod \
         x.containerfile sub/Dockerfile .devcontainer/Dockerfile .git/Dockerfile \
         node_modules/pkg/Dockerfile vendor/Dockerfile .venv/Dockerfile gen/Dockerfile \
         notes.txt Dockerfile.dockerignore; do
  mkdir -p "$(dirname "$f")"; printf '%s' "$bad" > "$f"
done
ln -s Dockerfile link.Dockerfile
printf 'exclude: [gen/]\n' > .dockwright.yaml
out=$("$dw" lint --format gnu); check "discovery" 1 $?
out=$(cut -d: -f1 <<<"$out")
same "discovered files" ".devcontainer/Dockerfile
Containerfile
Dockerfile
Dockerfile-prod
Dockerfile.dev
api.Dockerfile
dockerfile
sub/Dockerfile
x.containerfile" "$out"
out=$("$dw" lint --format gnu sub); check "discovery below a folder" 1 $?
out=$(cut -d: -f1 <<<"$out")
same "discovered under sub" "sub/Dockerfile" "$out"
# An explicit file is linted whatever its name or the excludes.
out=$("$dw" lint --format gnu notes.txt gen/Dockerfile | cut -d: -f1)
same "explicit files" "gen/Dockerfile
notes.txt" "$out"
mkdir -p ../empty && cd ../empty
err=$("$dw" lint 2>&1); check "nothing found" 0 $?
has "nothing found warning" "no Dockerfiles found" "$err"
cd "$tmp"

# ---- --jobs: same output whatever N -----------------------------------------------
mkdir -p j && cd j
for i in $(seq 1 40); do
  mkdir -p "m$((i % 7))"
  if [ $((i % 3)) = 0 ]; then printf '%s' "$good"; else printf 'FORM a\nFROM b\nFORM c%d\nUSER 10001\n' $i; fi > "m$((i % 7))/$i.Dockerfile"
done
for fmt in tty json sarif gitlab; do
  a=$("$dw" lint --jobs 1 --format $fmt); ra=$?
  b=$("$dw" lint --jobs 4 --format $fmt); rb=$?
  c=$("$dw" lint --format $fmt); rc=$?
  same "--jobs 1 vs 4 ($fmt)" "$a" "$b"
  same "--jobs 1 vs default ($fmt)" "$a" "$c"
  check "--jobs exit codes ($fmt)" "$ra$ra" "$rb$rc"
done
# Files named one by one, folders interleaved (each folder change reopens
# the folder they are read through), a missing one among them: the same
# report as the folder search, in path order, plus the one error.
names=$(find m? -name '*.Dockerfile' | sort -t/ -k2 -n)
a=$("$dw" lint --jobs 1 --format gnu); ra=$?
# shellcheck disable=SC2086
b=$("$dw" lint --jobs 4 --format gnu $names 2>/dev/null); rb=$?
same "files named one by one" "$a" "$b"
check "files named one by one, exit" "$ra" "$rb"
# shellcheck disable=SC2086
err=$("$dw" lint --jobs 2 --format gnu $names m1/none.Dockerfile 2>&1 >/dev/null); check "one of them missing" 2 $?
has "missing one named" "cannot read 'm1/none.Dockerfile'" "$err"
cd "$tmp"

# ---- --fix and --diff ----------------------------------------------------------------
mkdir -p x && cd x
printf '%s' "$bad" > Dockerfile
chmod 0751 Dockerfile
out=$("$dw" lint --diff --unsafe-fixes Dockerfile 2>err); check "--diff with changes" 1 $?
has "--diff summary on stderr" "--diff: 1 problem in 1 file would be fixed" "$(cat err)"
rm -f err
same "--diff output" "--- Dockerfile
+++ Dockerfile
@@ -1,4 +1,4 @@
 FROM alpine:3.20
-FORM x
+FROM x
 RUN echo ok
 USER nobody" "$out"
same "--diff writes nothing" "$(printf %s "$bad")" "$(cat Dockerfile)"
[ "$(ls -A)" = Dockerfile ] || { echo "FAIL: --diff left files: $(ls -A)"; fail=1; }
# The diff applies: patch turns a copy into what --fix writes.
if command -v patch >/dev/null; then
  mkdir -p ../xp && cp Dockerfile ../xp/ && (cd ../xp && patch -s -p0 <<<"$out") \
    || { echo "FAIL: patch refused the --diff output"; fail=1; }
  same "patched copy" "$bad_fixed" "$(cat ../xp/Dockerfile)"
fi
out=$("$dw" lint --diff Dockerfile 2>/dev/null); check "--diff without applicable fixes" 0 $?
same "--diff nothing to show" "" "$out"
out=$("$dw" lint --fix Dockerfile); check "--fix leaves unsafe fixes" 1 $?
has "--fix hint" "1 fixable with --unsafe-fixes" "$out"
same "--fix safe only changed nothing" "$(printf %s "$bad")" "$(cat Dockerfile)"
out=$("$dw" lint --fix --unsafe-fixes Dockerfile); check "--fix --unsafe-fixes" 0 $?
has "--fix summary" "fixed 1 problem in 1 file; no problems left in 1 file" "$out"
same "--fix result" "$bad_fixed" "$(cat Dockerfile)"
same "--fix keeps the mode" "751" "$(stat -c %a Dockerfile)"
[ "$(ls -A)" = Dockerfile ] || { echo "FAIL: --fix left files: $(ls -A)"; fail=1; }
# A symbolic link stays a link; its target is fixed.
printf '%s' "$bad" > target.Dockerfile
ln -s target.Dockerfile link.Dockerfile
"$dw" lint --fix --unsafe-fixes link.Dockerfile >/dev/null; check "--fix through a link" 0 $?
[ -L link.Dockerfile ] || { echo "FAIL: --fix replaced the link"; fail=1; }
has "--fix wrote the link's target" "FROM x" "$(cat target.Dockerfile)"
# A write that fails leaves the original whole: the temporary file beside a
# 250-character name cannot be created (NAME_MAX), even as root.
long=$(printf 'a%.0s' $(seq 1 239)).Dockerfile
printf '%s' "$bad" > "$long"
err=$("$dw" lint --fix --unsafe-fixes "$long" 2>&1 >/dev/null); check "failed write" 2 $?
has "failed write message" "cannot create a temporary file" "$err"
same "failed write keeps the original" "$(printf %s "$bad")" "$(cat "$long")"
[ "$(ls -A | wc -l)" = 4 ] || { echo "FAIL: failed write left files: $(ls -A)"; fail=1; }
if [ "$(id -u)" != 0 ]; then
  mkdir ro && printf '%s' "$bad" > ro/Dockerfile && chmod 0555 ro
  "$dw" lint --fix --unsafe-fixes ro/Dockerfile >/dev/null 2>&1; check "read-only folder" 2 $?
  same "read-only folder keeps the original" "$(printf %s "$bad")" "$(cat ro/Dockerfile)"
  chmod 0755 ro
fi
cd "$tmp"

# ---- with a warning rule that has a safe fix (when the registry has one) ---------
if "$dw" rules | grep -q '^DW114 '; then
  mkdir -p w && cd w
  two_cmds='FROM alpine:3.20
USER nobody
CMD ["a"]
CMD ["b"]
'
  printf '%s' "$two_cmds" > Dockerfile
  "$dw" lint Dockerfile >/dev/null; check "a warning fails by default" 1 $?
  "$dw" lint --failure-threshold error Dockerfile >/dev/null; check "a warning under threshold error" 0 $?
  "$dw" lint --failure-threshold style Dockerfile >/dev/null; check "a warning under threshold style" 1 $?
  out=$("$dw" lint --format json Dockerfile)
  has "json warning" '"severity": "warning"' "$out"
  has "json safe fix" '"applicability": "safe"' "$out"
  out=$("$dw" lint --fix Dockerfile); check "safe --fix" 0 $?
  has "safe --fix summary" "fixed 1 problem in 1 file" "$out"
  same "safe --fix result" "$(printf 'FROM alpine:3.20\nUSER nobody\nCMD ["b"]')" "$(cat Dockerfile)"
  cd "$tmp"
fi

# ---- config precedence ------------------------------------------------------------
mkdir -p c/inner && cd c
printf '%s' "$bad" > inner/Dockerfile
printf 'ignore: [DW002]\n' > .dockwright.yaml
"$dw" lint inner/Dockerfile >/dev/null; check "config found upwards" 0 $?
"$dw" lint --select DW002 inner/Dockerfile >/dev/null; check "--select beats the file's ignore" 1 $?
printf 'failure-threshold: none\n' > inner/.dockwright.yaml
"$dw" lint inner/Dockerfile >/dev/null; check "the nearest config wins" 0 $?
"$dw" lint --failure-threshold error inner/Dockerfile >/dev/null; check "CLI threshold beats the file" 1 $?
DOCKWRIGHT_FAILURE_THRESHOLD=error "$dw" lint inner/Dockerfile >/dev/null; check "environment beats the file" 1 $?
printf 'ignore: [DW002]\n' > other.yaml
"$dw" lint --config other.yaml --failure-threshold error inner/Dockerfile >/dev/null; check "--config replaces discovery" 0 $?
# hadolint compatibility: .hadolint.yaml when there is no .dockwright.yaml
mkdir -p ../h && cd ../h
printf '%s' "$bad" > Dockerfile
printf 'ignored: [DW002]\n' > .hadolint.yaml
"$dw" lint Dockerfile >/dev/null 2>&1; check ".hadolint.yaml read" 0 $?
cd "$tmp"

# ---- colours ------------------------------------------------------------------------
cd p
out=$("$dw" lint Dockerfile)
lacks "no colour into a pipe" $'\033[' "$out"
if command -v script >/dev/null && script -qec true /dev/null >/dev/null 2>&1; then
  out=$(script -qec "'$dw' lint Dockerfile" /dev/null)
  has "colour on a terminal" $'\033[' "$out"
  out=$(NO_COLOR=1 script -qec "'$dw' lint Dockerfile" /dev/null)
  lacks "NO_COLOR" $'\033[' "$out"
  out=$(script -qec "'$dw' lint --no-color Dockerfile" /dev/null)
  lacks "--no-color" $'\033[' "$out"
else
  echo "note: 'script' (util-linux) not usable: terminal colour checks skipped"
fi
cd "$tmp"

[ $fail = 0 ] && echo "cli lint: all passed"
exit $fail
