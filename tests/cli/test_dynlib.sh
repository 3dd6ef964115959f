#!/usr/bin/env bash
# libarchive, libcurl and libcrypto are loaded only by the commands that
# use them (builder/dynlib.h): `lint` and `--version` map none of them,
# `image import` maps libarchive, and a library that cannot be loaded is
# one line of error naming its Debian package, exit status 2, no crash.
# The dynamic loader's own trace (glibc's LD_DEBUG=files) tells what a
# process loaded, whether linked or opened later; without glibc: skip.
# Usage: test_dynlib.sh DOCKWRIGHT
set -u
dw=${1:?usage: test_dynlib.sh DOCKWRIGHT}
case $dw in /*) ;; *) dw=$PWD/$dw ;; esac
command -v tar > /dev/null || { echo "skip: tar not found"; exit 77; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/dw-dynlib-test.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1
export HOME=$tmp XDG_CONFIG_HOME=$tmp/.config
fail=0
heavy='file=lib(archive|curl|crypto)\.so'

loaded() { # command...: prints the trace of the objects the process loaded
  LD_DEBUG=files "$@" 2>&1 > /dev/null | grep 'file=' || true
}
if ! loaded "$dw" --version | grep -q 'file=libc\.so'; then
  echo "skip: the dynamic loader does not trace (LD_DEBUG=files) here"
  exit 77
fi

printf 'FROM alpine:3.20\nRUN apk add --no-cache curl\nCMD ["curl", "--version"]\n' > Dockerfile
for args in "--version" "lint Dockerfile"; do
  # shellcheck disable=SC2086
  if loaded "$dw" $args | grep -Eq "$heavy"; then
    echo "FAIL: 'dockwright $args' loads a builder library:"
    # shellcheck disable=SC2086
    loaded "$dw" $args | grep -E "$heavy"
    fail=1
  fi
done

# A plain tar is neither image format: the import reads it with libarchive
# and fails cleanly.
mkdir -p d && echo hi > d/a && tar -cf plain.tar -C d .
out=$(loaded "$dw" image import plain.tar --cache-dir "$tmp/store")
if ! grep -q 'file=libarchive\.so' <<<"$out"; then
  echo "FAIL: 'dockwright image import' did not load libarchive"
  fail=1
fi

for lib in archive crypto; do
  err=$(DOCKWRIGHT_DEBUG_DYNLIB_FAIL=$lib "$dw" image import plain.tar \
        --cache-dir "$tmp/store-$lib" 2>&1 > /dev/null)
  rc=$?
  [ "$rc" = 2 ] || { echo "FAIL: missing lib$lib: exit $rc, want 2"; fail=1; }
  lines=$(printf '%s\n' "$err" | wc -l)
  if [ "$lines" != 1 ] ||
     ! grep -Eq "^dockwright: cannot load lib$lib\\.so.*: install the Debian package [a-z0-9.+-]+\$" <<<"$err"; then
    echo "FAIL: missing lib$lib: want one line naming the package, got:"
    echo "$err"
    fail=1
  fi
done

# Not linked either (a NEEDED entry would load them at every start).
if command -v readelf > /dev/null; then
  if readelf -d "$dw" | grep NEEDED | grep -Eq 'lib(archive|curl|crypto)\.so'; then
    echo "FAIL: dockwright links a builder library:"
    readelf -d "$dw" | grep NEEDED
    fail=1
  fi
fi
exit $fail
