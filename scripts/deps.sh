#!/bin/sh
# Installs the Debian packages dockwright needs. Idempotent and quiet when
# everything is present; as a non-root user it prints the exact command to
# run instead of installing.
#
#   scripts/deps.sh           what building needs
#   scripts/deps.sh --test    also what the test suite needs
#   scripts/deps.sh --bench   also what the benchmarks under tests/perf use
set -eu

build_pkgs="gcc clang make cmake pkg-config git
libtree-sitter-dev libarchive-dev zlib1g-dev libssl-dev libpcre2-dev
libjansson-dev libyaml-dev libcurl4-openssl-dev libcmocka-dev"
test_pkgs="clang-format nodejs busybox-static valgrind pre-commit git python3
skopeo umoci docker-registry debootstrap"
bench_pkgs="buildah hyperfine"

want=$build_pkgs
case "${1:-}" in
  --test) want="$build_pkgs $test_pkgs" ;;
  --bench) want="$build_pkgs $test_pkgs $bench_pkgs" ;;
  "") ;;
  *) echo "usage: scripts/deps.sh [--test|--bench]" >&2; exit 2 ;;
esac

missing=""
for p in $want; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  case "$status" in
    *"install ok installed"*) ;;
    *) missing="$missing $p" ;;
  esac
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" != 0 ]; then
  echo "dockwright needs these Debian packages:$missing" >&2
  echo "install them as root with:" >&2
  echo "  apt-get update && apt-get install -y --no-install-recommends$missing" >&2
  exit 1
fi
echo "installing:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
