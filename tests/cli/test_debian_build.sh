#!/usr/bin/env bash
# A real package-manager build (issue #7): debootstrap --variant=minbase
# bookworm from the Debian mirror this machine's apt uses, the rootfs
# imported as a base image (one uncompressed layer in a docker-archive
# written here), then `apt-get install` of a small package in three
# Dockerfiles whose build reports must differ as dive would count:
#  - lists left in the layer: the biggest RUN layer, nothing wasted by it;
#  - lists removed by a later RUN: the first RUN is cached from the build
#    above and its lists count as wasted bytes;
#  - lists removed in the same RUN: a much smaller layer, nothing wasted.
# The installed program runs in a later RUN.
# Usage: test_debian_build.sh DOCKWRIGHT
# Exits 77 (skip) without root, debootstrap, python3 or the mirror, or
# when containers cannot run here. Takes about 4 minutes, 2.5 of them in
# debootstrap.
set -u
dw=${1:?usage: test_debian_build.sh DOCKWRIGHT}
if [ "$(id -u)" != 0 ]; then echo "skip: needs root"; exit 77; fi
for tool in debootstrap tar sha256sum python3 timeout; do
  command -v "$tool" >/dev/null || { echo "skip: $tool not found"; exit 77; }
done
# The mirror apt uses here (deb822 .sources or a one-line sources.list).
mirror=$(cat /etc/apt/sources.list.d/*.sources 2>/dev/null |
  awk '/^URIs:/ { for (i = 2; i <= NF; i++) if ($i !~ /security/) { print $i; exit } }')
if [ -z "$mirror" ]; then
  mirror=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
    awk '$1 == "deb" && $0 !~ /security/ { for (i = 2; i <= NF; i++) if ($i ~ /:\/\//) { print $i; exit } }')
fi
mirror=${mirror:-http://deb.debian.org/debian}
reachable=0
if command -v curl >/dev/null; then
  curl -fsSI --max-time 15 "$mirror/dists/bookworm/Release" >/dev/null 2>&1 && reachable=1
elif command -v wget >/dev/null; then
  wget -q --spider --timeout=15 "$mirror/dists/bookworm/Release" >/dev/null 2>&1 && reachable=1
fi
if [ $reachable = 0 ]; then echo "skip: $mirror is unreachable"; exit 77; fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/dw-debian-test.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
export TMPDIR=$tmp
unset CI SOURCE_DATE_EPOCH
fail=0
check() { # description, expected, actual
  if [ "$2" != "$3" ]; then echo "FAIL: $1 (got '$3', want '$2')"; fail=1; fi
}
expect_out() { # description, pattern, text
  if ! grep -qE -- "$2" <<<"$3"; then echo "FAIL: $1: output lacks /$2/:"; echo "$3"; fail=1; fi
}
# rget REPORT EXPR: a figure of a --report JSON (j), by a Python expression;
# `inst` is the step that runs apt-get install.
rget() {
  python3 - "$1" "$2" <<'PY'
import json, sys
with open(sys.argv[1]) as f:
    j = json.load(f)
inst = next(s for s in j["steps"] if "apt-get install" in s["instruction"])
print(eval(sys.argv[2], {"j": j, "inst": inst}))
PY
}
sha() { sha256sum "$1" | cut -d' ' -f1; }

# ---- the base image: debootstrap, then a docker-archive ----
t0=$(date +%s)
if ! timeout 300 debootstrap --variant=minbase bookworm "$tmp/rootfs" "$mirror" >"$tmp/dbs.log" 2>&1; then
  echo "FAIL: debootstrap from $mirror:"
  tail -20 "$tmp/dbs.log"
  exit 1
fi
echo "debootstrap: $(($(date +%s) - t0)) s"
# As Debian's own images: no package lists, downloaded packages or device
# nodes, and apt told to keep no binary caches or .deb files in the layers.
rm -rf "$tmp/rootfs/var/lib/apt/lists/"* "$tmp/rootfs/var/cache/apt/"*.bin \
  "$tmp/rootfs/var/cache/apt/archives/"*.deb
cat >"$tmp/rootfs/etc/apt/apt.conf.d/docker-clean" <<'EOF'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
EOF
mkdir -p "$tmp/arch"
tar --sort=name --numeric-owner --mtime=@0 --exclude='./dev/*' --exclude='./proc/*' \
  --exclude='./sys/*' -cf "$tmp/layer.tar" -C "$tmp/rootfs" . || {
  echo "FAIL: tar of the rootfs"
  exit 1
}
rm -rf "$tmp/rootfs"
diff=$(sha "$tmp/layer.tar")
mv "$tmp/layer.tar" "$tmp/arch/$diff.tar"
cat >"$tmp/cfg.json" <<EOF
{"architecture":"amd64","os":"linux","config":{"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],"Cmd":["bash"]},"rootfs":{"type":"layers","diff_ids":["sha256:$diff"]},"history":[{"created_by":"debootstrap --variant=minbase bookworm"}]}
EOF
cfg=$(sha "$tmp/cfg.json")
mv "$tmp/cfg.json" "$tmp/arch/$cfg.json"
printf '[{"Config":"%s.json","RepoTags":["debian:bookworm-minbase"],"Layers":["%s.tar"]}]' \
  "$cfg" "$diff" >"$tmp/arch/manifest.json"
tar -cf "$tmp/debian.tar" -C "$tmp/arch" . && rm -rf "$tmp/arch"
S=(--cache-dir "$tmp/store")
out=$("$dw" image import "${S[@]}" "$tmp/debian.tar" 2>&1)
check "import the debootstrap image: $out" 0 $?
rm -f "$tmp/debian.tar"

# ---- three ways to install one package ----
mkdir -p "$tmp/ctx"
install='apt-get update && apt-get install -y --no-install-recommends hello'
printf 'FROM debian:bookworm-minbase\nRUN %s\nRUN hello\n' "$install" >"$tmp/ctx/Dockerfile.kept"
printf 'FROM debian:bookworm-minbase\nRUN %s\nRUN rm -rf /var/lib/apt/lists/*\nRUN hello\n' \
  "$install" >"$tmp/ctx/Dockerfile.later"
printf 'FROM debian:bookworm-minbase\nRUN %s && rm -rf /var/lib/apt/lists/*\nRUN hello\n' \
  "$install" >"$tmp/ctx/Dockerfile.same"
for v in kept later same; do
  t0=$(date +%s)
  out=$("$dw" build "${S[@]}" -f "$tmp/ctx/Dockerfile.$v" --report "$tmp/$v.json" "$tmp/ctx" 2>&1)
  rc=$?
  if [ $rc != 0 ] && grep -qiE 'overlay|namespace|unshare|not permitted|unsupported' <<<"$out"; then
    echo "skip: containers cannot run here: $out"
    exit 77
  fi
  check "build ($v): $out" 0 $rc
  [ $rc = 0 ] || continue
  expect_out "the package runs ($v)" 'Hello, world!' "$out"
  echo "$v: $(($(date +%s) - t0)) s, $(rget "$tmp/$v.json" '"RUN layer %d bytes (%d compressed), image %d bytes, wasted %d bytes, efficiency %.4f" % (inst["layer"]["size"], inst["layer"]["compressed_size"], j["image"]["size"], j["image"]["wasted_bytes"], j["image"]["efficiency"])')"
done
if [ -f "$tmp/kept.json" ] && [ -f "$tmp/later.json" ] && [ -f "$tmp/same.json" ]; then
  kept_layer=$(rget "$tmp/kept.json" 'inst["layer"]["size"]')
  same_layer=$(rget "$tmp/same.json" 'inst["layer"]["size"]')
  kept_waste=$(rget "$tmp/kept.json" 'inst["layer"]["wasted_bytes"]')
  later_waste=$(rget "$tmp/later.json" 'inst["layer"]["wasted_bytes"]')
  same_waste=$(rget "$tmp/same.json" 'inst["layer"]["wasted_bytes"]')
  later_img_waste=$(rget "$tmp/later.json" 'j["image"]["wasted_bytes"]')
  same_img_waste=$(rget "$tmp/same.json" 'j["image"]["wasted_bytes"]')
  check "the install step is cached in the second build" hit \
    "$(rget "$tmp/later.json" 'inst["cache"]')"
  # bookworm's main, updates and security lists hold well over 5 MB.
  lists=$((kept_layer - same_layer))
  [ $lists -gt 5000000 ] ||
    { echo "FAIL: lists kept add $lists bytes to the layer ($kept_layer vs $same_layer)"; fail=1; }
  check "a layer nobody changes later wastes nothing" 0 "$kept_waste"
  check "cleaned in the same RUN: nothing wasted by it" 0 "$same_waste"
  # Deleted by the next RUN: the lists (and their directory entries) are
  # wasted, about what keeping them added to the layer.
  [ "$later_waste" -gt $((lists * 9 / 10)) ] && [ "$later_waste" -le "$kept_layer" ] ||
    { echo "FAIL: lists removed later waste $later_waste bytes, want about $lists"; fail=1; }
  [ "$later_img_waste" -gt $((same_img_waste + lists * 9 / 10)) ] ||
    { echo "FAIL: image waste $later_img_waste (later) vs $same_img_waste (same)"; fail=1; }
  check "the wasting step is the install" 1 \
    "$(rget "$tmp/later.json" 'sum(1 for s in j["steps"] if s["layer"] and s["layer"]["wasted_bytes"] > 1000000)')"
fi

if [ $fail = 0 ]; then echo "ok"; fi
exit $fail
