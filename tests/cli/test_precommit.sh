#!/usr/bin/env bash
# The hooks of .pre-commit-hooks.yaml through a real pre-commit, in a
# temporary git repository: a bad Dockerfile fails the commit, the fix hook
# rewrites it, a clean one passes, lowercase and dash names are selected and
# other files are not. Skips (77) when pre-commit or git is missing.
set -u
dw=${1:?usage: test_precommit.sh DOCKWRIGHT SOURCE_ROOT}
src=${2:?usage: test_precommit.sh DOCKWRIGHT SOURCE_ROOT}
case $dw in /*) ;; *) dw=$PWD/$dw ;; esac
case $src in /*) ;; *) src=$PWD/$src ;; esac
command -v pre-commit >/dev/null || { echo "pre-commit is not installed (apt-get install pre-commit): skipped"; exit 77; }
command -v git >/dev/null || { echo "git is not installed: skipped"; exit 77; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/dw-precommit-XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT

# Nothing from the machine's git or pre-commit setup may leak in.
export HOME=$tmp/home PRE_COMMIT_HOME=$tmp/cache GIT_CONFIG_NOSYSTEM=1
export GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@example.com GIT_COMMITTER_NAME=t GIT_COMMITTER_EMAIL=t@example.com
unset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE NO_COLOR DOCKWRIGHT_CONFIG
mkdir -p "$HOME" "$tmp/bin"
ln -s "$dw" "$tmp/bin/dockwright"
export PATH=$tmp/bin:$PATH

fail=0
check() { if [ "$2" != "$3" ]; then echo "FAIL: $1 (exit $3, want $2)"; cat "$tmp/log" 2>/dev/null | tail -20; fail=1; fi; }

# The hook repository: this repository's manifest, committed.
mkdir "$tmp/hooks" && cd "$tmp/hooks" || exit 2
git init -q . && cp "$src/.pre-commit-hooks.yaml" . && git add . && git commit -qm hooks || exit 2
rev=$(git rev-parse HEAD)

mkdir "$tmp/proj" && cd "$tmp/proj" || exit 2
git init -q .
cat > .pre-commit-config.yaml <<YAML
repos:
  - repo: $tmp/hooks
    rev: $rev
    hooks:
      - id: dockwright
      - id: dockwright-fix
        args: [--unsafe-fixes]
        stages: [manual]
YAML
git add .pre-commit-config.yaml && git commit -qm config || exit 2
pre-commit install >"$tmp/log" 2>&1; check "pre-commit install" 0 $?

# The inputs end with a non-root USER so that DW401 (root-user) stays silent.
bad='FROM alpine:3.20
FORM x
USER nobody
'
# A bad Dockerfile fails the commit.
printf '%s' "$bad" > Dockerfile
git add Dockerfile
git commit -qm bad >"$tmp/log" 2>&1; check "a bad Dockerfile fails the commit" 1 $?
grep -q "unknown instruction 'FORM'" "$tmp/log" || { echo "FAIL: the hook output lacks the finding"; tail -20 "$tmp/log"; fail=1; }

# The fix hook rewrites it (pre-commit fails a hook that modifies files).
pre-commit run dockwright-fix --hook-stage manual --files Dockerfile >"$tmp/log" 2>&1
check "the fix hook reports the modification" 1 $?
[ "$(cat Dockerfile)" = "$(printf 'FROM alpine:3.20\nFROM x\nUSER nobody')" ] || { echo "FAIL: the fix hook did not rewrite the file:"; cat Dockerfile; fail=1; }
git add Dockerfile
git commit -qm fixed >"$tmp/log" 2>&1; check "the fixed Dockerfile commits" 0 $?

# A clean one passes.
printf 'FROM alpine:3.20\nRUN echo ok\nUSER nobody\n' > Containerfile
git add Containerfile
git commit -qm clean >"$tmp/log" 2>&1; check "a clean Containerfile commits" 0 $?

# Lowercase and dash names are selected, other files are not.
for name in app.dockerfile Dockerfile-dev sub/api.Dockerfile.prod; do
  mkdir -p "$(dirname "$name")"
  printf '%s' "$bad" > "$name"
  git add "$name"
  git commit -qm "$name" >"$tmp/log" 2>&1; check "'$name' is linted" 1 $?
  git rm -qf --cached "$name" && rm -f "$name"
done
printf 'FORM x\n' > notes.txt
printf 'FORM x\n' > Dockerfile.dockerignore
git add notes.txt Dockerfile.dockerignore
git commit -qm other >"$tmp/log" 2>&1; check "other files are not linted" 0 $?

[ $fail = 0 ] && echo "pre-commit hooks: all passed"
exit $fail
