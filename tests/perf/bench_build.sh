#!/usr/bin/env bash
# Build benchmark (issue #7), all figures from one run on this machine:
#  - the same Dockerfiles built by dockwright and by buildah (`buildah bud
#    --layers --isolation chroot`, overlay storage in a temporary
#    directory), the base image imported into both from one docker-archive
#    ("base": buildah's pull; dockwright's import and a `RUN true` over the
#    base, which extracts its layers as buildah's pull does), then the
#    build cold (a fresh store, best of 3), fully cached (best of 3) and after a
#    one-file source change (best of 3, a new change each round), wall
#    seconds; then the images' layer counts and sizes (both exported to an
#    OCI layout: compressed and uncompressed bytes) and how far apart they
#    are;
#      1. a busybox multi-stage build (base made from Debian's
#         busybox-static, no network);
#      2. a Debian build with apt-get install over a debootstrap minbase
#         bookworm base made here from the mirror apt uses (network; skipped
#         when debootstrap or the mirror is missing, or with
#         BENCH_DEBIAN=0);
#  - optimized vs unoptimized: corpus/ pairs (pip, npm) whose `lint --fix`
#    output differs, their FROM pointed at a busybox image with stand-in
#    pip and npm commands, built by dockwright cold, then after a one-file
#    source change: the steps that ran again, layers and wasted bytes of
#    both side by side.
# Figures only, nothing is asserted. As root (both builders run RUN steps);
# use a Release build: tests/perf/bench_build.sh build/release
# buildah's part is skipped when buildah is not installed.
set -u
build=${1:?usage: bench_build.sh BUILD_DIR}
here=$(cd "$(dirname "$0")/../.." && pwd)
dw=$build/dockwright
[ -x "$dw" ] || { echo "build $build first"; exit 2; }
if [ "$(id -u)" != 0 ]; then echo "skip: the builds need root"; exit 77; fi
for tool in tar sha256sum python3; do
  command -v "$tool" >/dev/null || { echo "skip: $tool not found"; exit 77; }
done
have_buildah=0
command -v buildah >/dev/null && have_buildah=1
work=$(mktemp -d "${TMPDIR:-/tmp}/dw-bench-build.XXXXXX") || exit 1
broots=()
cleanup() {
  local r
  for r in "${broots[@]}"; do
    buildah --root "$r" --runroot "$r.run" --storage-driver overlay rm --all >/dev/null 2>&1
    buildah --root "$r" --runroot "$r.run" --storage-driver overlay rmi --all --force >/dev/null 2>&1
  done
  # whatever buildah's overlay driver left mounted under the work directory
  awk -v w="$work" 'index($2, w) == 1 { print $2 }' /proc/mounts | sort -r |
    while read -r m; do umount -l "$m" 2>/dev/null; done
  rm -rf "$work"
}
trap cleanup EXIT
export TMPDIR=$work
unset CI SOURCE_DATE_EPOCH

now() { date +%s%N; }
secs() { awk -v ns="$1" 'BEGIN { printf "%.3f", ns / 1e9 }'; }
# run_timed LOG CMD...: runs CMD, prints its wall time in ns; on failure
# shows the log's tail and prints nothing.
run_timed() {
  local log=$1 s e
  shift
  s=$(now)
  if ! "$@" >"$log" 2>&1; then
    echo "failed: $*" >&2
    tail -5 "$log" >&2
    return 1
  fi
  e=$(now)
  echo $((e - s))
}
min() { # the smallest of the arguments (empty ones ignored)
  local best= v
  for v in "$@"; do
    [ -n "$v" ] || continue
    if [ -z "$best" ] || [ "$v" -lt "$best" ]; then best=$v; fi
  done
  echo "${best:-0}"
}
bh() { # ROOT ARGS...: buildah with its storage under ROOT
  local r=$1
  shift
  buildah --root "$r" --runroot "$r.run" --storage-driver overlay "$@"
}
# A docker-archive of one uncompressed layer: archive ROOTFS NAME OUT CMD
archive() {
  local rootfs=$1 name=$2 out=$3 cmd=$4 a=$work/arch.$$ diff cfg
  mkdir -p "$a"
  tar --sort=name --numeric-owner --mtime=@0 --exclude='./dev/*' --exclude='./proc/*' \
    --exclude='./sys/*' -cf "$a/layer.tar" -C "$rootfs" . || return 1
  diff=$(sha256sum "$a/layer.tar" | cut -d' ' -f1)
  mv "$a/layer.tar" "$a/$diff.tar"
  printf '{"architecture":"amd64","os":"linux","config":{"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],"Cmd":["%s"]},"rootfs":{"type":"layers","diff_ids":["sha256:%s"]},"history":[{"created_by":"%s rootfs"}]}' \
    "$cmd" "$diff" "$name" >"$a/cfg.json"
  cfg=$(sha256sum "$a/cfg.json" | cut -d' ' -f1)
  mv "$a/cfg.json" "$a/$cfg.json"
  printf '[{"Config":"%s.json","RepoTags":["%s"],"Layers":["%s.tar"]}]' "$cfg" "$name" "$diff" \
    >"$a/manifest.json"
  tar -cf "$out" -C "$a" . && rm -rf "$a"
}
# layout_sizes DIR: "LAYERS UNCOMPRESSED COMPRESSED" of the one image of an
# OCI layout.
layout_sizes() {
  python3 - "$1" <<'PY'
import gzip, json, os, sys
d = sys.argv[1]
blob = lambda dg: os.path.join(d, "blobs", dg.replace(":", "/"))
ix = json.load(open(os.path.join(d, "index.json")))
m = json.load(open(blob(ix["manifests"][0]["digest"])))
comp = unc = 0
for l in m["layers"]:
    comp += l["size"]
    with open(blob(l["digest"]), "rb") as f:
        head = f.read(2)
        f.seek(0)
        src = gzip.GzipFile(fileobj=f) if head == b"\x1f\x8b" else f
        while True:
            b = src.read(1 << 20)
            if not b:
                break
            unc += len(b)
print(len(m["layers"]), unc, comp)
PY
}
table_head() {
  printf '%-20s %-10s %6s %8s %8s %8s %7s %12s %12s\n' scenario builder base cold warm change \
    layers uncompressed compressed
}

# bench NAME BASE_TAR BASE_REF CTX CHANGED_FILE: the three timings and the
# sizes, dockwright then buildah.
bench() {
  local name=$1 base=$2 ref=$3 ctx=$4 changed=$5 r t b c w ch sizes
  cp "$changed" "$work/changed.orig"
  local -a cold warm change base_t
  # dockwright
  cold=()
  base_t=()
  mkdir -p "$work/prewarm"
  printf 'FROM %s\nRUN true\n' "$ref" >"$work/prewarm/Dockerfile"
  for r in 1 2 3; do
    rm -rf "$work/dws"
    # The base as buildah's pull leaves it: imported and its layers
    # extracted (a first RUN over it extracts them, once per store).
    t=$(run_timed "$work/log" sh -c '"$1" image import --cache-dir "$2" "$3" "$4" &&
      "$1" build --cache-dir "$2" -q "$5"' sh "$dw" "$work/dws" "$base" "$ref" "$work/prewarm") ||
      { echo "$name: dockwright cannot import the base"; return 1; }
    base_t+=("$t")
    t=$(run_timed "$work/log" "$dw" build --cache-dir "$work/dws" -q -t "bench:$name" "$ctx") ||
      return 1
    cold+=("$t")
  done
  warm=()
  for r in 1 2 3; do warm+=("$(run_timed "$work/log" "$dw" build --cache-dir "$work/dws" -q -t "bench:$name" "$ctx")"); done
  change=()
  for r in 1 2 3; do
    echo "# change $r" >>"$changed"
    change+=("$(run_timed "$work/log" "$dw" build --cache-dir "$work/dws" -q -t "bench:$name" "$ctx")")
  done
  cp "$work/changed.orig" "$changed"
  "$dw" build --cache-dir "$work/dws" -q -t "bench:$name" "$ctx" >/dev/null 2>&1
  rm -rf "$work/dw.oci"
  "$dw" image export --cache-dir "$work/dws" "bench:$name" --output "oci:$work/dw.oci" >/dev/null 2>&1
  sizes=$(layout_sizes "$work/dw.oci")
  b=$(min "${base_t[@]}")
  c=$(min "${cold[@]}")
  w=$(min "${warm[@]}")
  ch=$(min "${change[@]}")
  local dw_unc
  dw_unc=$(cut -d' ' -f2 <<<"$sizes")
  # shellcheck disable=SC2086
  printf '%-20s %-10s %6s %8s %8s %8s %7s %12s %12s\n' "$name" dockwright "$(secs "$b")" "$(secs "$c")" \
    "$(secs "$w")" "$(secs "$ch")" $sizes
  [ $have_buildah = 1 ] || { echo "$name: buildah is not installed, skipped"; return 0; }
  local br=$work/bh.$name
  broots+=("$br")
  cold=()
  base_t=()
  for r in 1 2 3; do
    bh "$br" rm --all >/dev/null 2>&1
    bh "$br" rmi --all --force >/dev/null 2>&1
    t=$(run_timed "$work/log" bh "$br" pull -q "docker-archive:$base") ||
      { echo "$name: buildah cannot pull the base"; return 1; }
    base_t+=("$t")
    bh "$br" tag "$(bh "$br" images -q | head -1)" "$ref" >/dev/null 2>&1
    t=$(run_timed "$work/log" bh "$br" bud --isolation chroot --layers -q -t "bench-$name" "$ctx") ||
      return 1
    cold+=("$t")
  done
  warm=()
  for r in 1 2 3; do warm+=("$(run_timed "$work/log" bh "$br" bud --isolation chroot --layers -q -t "bench-$name" "$ctx")"); done
  change=()
  for r in 1 2 3; do
    echo "# change $r" >>"$changed"
    change+=("$(run_timed "$work/log" bh "$br" bud --isolation chroot --layers -q -t "bench-$name" "$ctx")")
  done
  cp "$work/changed.orig" "$changed"
  bh "$br" bud --isolation chroot --layers -q -t "bench-$name" "$ctx" >/dev/null 2>&1
  rm -rf "$work/bh.oci"
  bh "$br" push -q "bench-$name" "oci:$work/bh.oci" >/dev/null 2>&1
  sizes=$(layout_sizes "$work/bh.oci")
  b=$(min "${base_t[@]}")
  c=$(min "${cold[@]}")
  w=$(min "${warm[@]}")
  ch=$(min "${change[@]}")
  # shellcheck disable=SC2086
  printf '%-20s %-10s %6s %8s %8s %8s %7s %12s %12s\n' "$name" buildah "$(secs "$b")" "$(secs "$c")" \
    "$(secs "$w")" "$(secs "$ch")" $sizes
  awk -v a="$dw_unc" -v b="$(cut -d' ' -f2 <<<"$sizes")" -v n="$name" \
    'BEGIN { printf "%-20s uncompressed sizes differ by %.2f%%\n", n, (a - b) * 100 / (b ? b : 1) }'
}

# ---- the busybox base and the multi-stage build ----
sh "$here/tests/builder/make_busybox_rootfs.sh" "$work/bbroot" >/dev/null 2>&1
case $? in
  0) ;;
  77) echo "skip: busybox-static is not installed"; exit 77 ;;
  *) echo "make_busybox_rootfs.sh failed"; exit 1 ;;
esac
archive "$work/bbroot" busybox:latest "$work/busybox.tar" sh || exit 1
ctx=$work/ms
mkdir -p "$ctx/src" "$ctx/conf"
for i in 1 2 3 4 5 6; do
  printf 'int unit%d(void) { return %d; }\n' "$i" "$i" >"$ctx/src/unit$i.c"
done
printf 'mode=bench\n' >"$ctx/conf/app.conf"
cat >"$ctx/Dockerfile" <<'EOF'
FROM busybox AS build
WORKDIR /src
COPY src/ ./
RUN mkdir -p /out && for f in *.c; do busybox seq 1 20000 | sed "s/^/$f /" > /out/$f.o; done
RUN busybox sha256sum /out/*.o > /out/SUMS

FROM busybox
ENV APP_HOME=/app
WORKDIR /app
COPY --from=build /out/ ./lib/
COPY conf/ /etc/app/
RUN busybox seq 1 50000 > /app/data.txt
LABEL org.example.bench=multi-stage
USER app
CMD ["sh"]
EOF
echo "machine: $(nproc) cores, $(uname -r); buildah: $(buildah --version 2>/dev/null || echo none)"
echo
echo "== dockwright vs buildah (wall seconds, best of 3; sizes in bytes) =="
table_head
bench busybox-multistage "$work/busybox.tar" busybox:latest "$ctx" "$ctx/src/unit3.c"

# ---- the Debian build ----
debian_note=
if [ "${BENCH_DEBIAN:-1}" = 0 ]; then
  debian_note="BENCH_DEBIAN=0"
elif ! command -v debootstrap >/dev/null; then
  debian_note="debootstrap is not installed"
else
  mirror=$(cat /etc/apt/sources.list.d/*.sources 2>/dev/null |
    awk '/^URIs:/ { for (i = 2; i <= NF; i++) if ($i !~ /security/) { print $i; exit } }')
  mirror=${mirror:-http://deb.debian.org/debian}
  s=$(now)
  if timeout 600 debootstrap --variant=minbase bookworm "$work/debroot" "$mirror" >"$work/dbs.log" 2>&1; then
    echo "(debootstrap --variant=minbase bookworm: $(secs $(($(now) - s))) s)"
    # as Debian's own images: no lists, no .debs, no apt binary caches
    rm -rf "$work/debroot/var/lib/apt/lists/"* "$work/debroot/var/cache/apt/"*.bin \
      "$work/debroot/var/cache/apt/archives/"*.deb
    cat >"$work/debroot/etc/apt/apt.conf.d/docker-clean" <<'EOF'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
EOF
    archive "$work/debroot" debian:bookworm-minbase "$work/debian.tar" bash || exit 1
    rm -rf "$work/debroot"
    dctx=$work/deb
    mkdir -p "$dctx"
    printf '#!/bin/sh\necho hello from the app\n' >"$dctx/app.sh"
    cat >"$dctx/Dockerfile" <<'EOF'
FROM debian:bookworm-minbase
RUN apt-get update && apt-get install -y --no-install-recommends hello && rm -rf /var/lib/apt/lists/*
COPY app.sh /usr/local/bin/app
RUN chmod 0755 /usr/local/bin/app && hello && app
CMD ["app"]
EOF
    bench debian-apt "$work/debian.tar" debian:bookworm-minbase "$dctx" "$dctx/app.sh"
  else
    debian_note="debootstrap from $mirror failed: $(tail -1 "$work/dbs.log")"
  fi
fi
[ -z "$debian_note" ] || echo "debian-apt: skipped ($debian_note)"

# ---- optimized vs unoptimized (dockwright's report) ----
echo
echo "== lint --fix pairs from corpus/: unoptimized vs optimized (dockwright) =="
shim=$work/shimctx
mkdir -p "$shim"
# Stand-ins for the package managers: they "download" for a second, write
# the packages and, unless told not to, a cache beside them.
cat >"$shim/pip" <<'EOF'
#!/bin/sh
req= nocache=
while [ $# -gt 0 ]; do
  case $1 in -r) req=$2; shift ;; --no-cache-dir) nocache=1 ;; esac
  shift
done
[ -n "$req" ] || exit 0
sleep 1
grep -v '^#' "$req" | while read -r pkg; do
  name=${pkg%%[=<>~]*}
  [ -n "$name" ] || continue
  mkdir -p "/usr/lib/site-packages/$name"
  busybox seq 1 60000 | sed "s/^/$name /" > "/usr/lib/site-packages/$name/__init__.py"
done
[ -n "$nocache" ] || { mkdir -p /root/.cache/pip && cp -r /usr/lib/site-packages /root/.cache/pip/wheels; }
EOF
cat >"$shim/npm" <<'EOF'
#!/bin/sh
sleep 1
mkdir -p node_modules/express
busybox seq 1 150000 | sed 's/^/module.exports.x/' > node_modules/express/index.js
mkdir -p /root/.npm/_cacache && cp node_modules/express/index.js /root/.npm/_cacache/
EOF
cat >"$shim/Dockerfile" <<'EOF'
FROM busybox
COPY --chmod=0755 pip npm /usr/local/bin/
RUN echo 'node:x:1001:1001:node:/home/node:/bin/sh' >> /etc/passwd && echo 'node:x:1001:' >> /etc/group && mkdir -p /home/node && chown node:node /home/node
EOF
pstore=$work/pairs
"$dw" image import --cache-dir "$pstore" "$work/busybox.tar" >/dev/null 2>&1
if ! "$dw" build --cache-dir "$pstore" -q -t shim:latest "$shim" >"$work/log" 2>&1; then
  echo "the stand-in image failed to build:"
  tail -5 "$work/log"
  exit 1
fi
# report_line LABEL REPORT.json [layers]: one line per build from --report;
# with a third argument, a line per layer too.
report_line() {
  python3 - "$@" <<'PY'
import json, sys
j = json.load(open(sys.argv[2]))
im = j["image"]
ran = [str(s["line"]) for s in j["steps"] if s["cache"] == "miss" and not s["instruction"].startswith("FROM")]
secs = sum(s["seconds"] for s in j["steps"])
print("  %-34s %6.2fs  layers %2d  size %9d  compressed %8d  wasted %8d  efficiency %.4f  lines run: %s"
      % (sys.argv[1], secs, im["layers"], im["size"], im["compressed_size"], im["wasted_bytes"],
         im["efficiency"], ",".join(ran) or "-"))
if len(sys.argv) > 3:
    for s in j["steps"]:
        l = s["layer"]
        if l:
            print("      line %2d  %-4s  %9d bytes  %5d files  wasted %8d  %.60s"
                  % (s["line"], s["cache"], l["size"], l["files"], l["wasted_bytes"], s["instruction"]))
PY
}
pair() { # ECOSYSTEM NAME CHANGED (relative to the context)
  local eco=$1 n=$2 changed=$3 src=$here/corpus/$1/$2 v
  [ -f "$src.Dockerfile" ] && [ -d "$src.context" ] || { echo "$eco/$n: not in corpus/"; return; }
  local d=$work/pair-$eco-$n
  mkdir -p "$d"
  cp -r "$src.context" "$d/ctx"
  grep -v '^# ' "$src.Dockerfile" | sed 's/^FROM .*/FROM shim:latest/' >"$d/unopt.Dockerfile"
  cp "$d/unopt.Dockerfile" "$d/opt.Dockerfile"
  "$dw" lint --fix --context "$d/ctx" "$d/opt.Dockerfile" >/dev/null 2>&1
  if cmp -s "$d/unopt.Dockerfile" "$d/opt.Dockerfile"; then
    echo "$eco/$n: lint --fix changed nothing, skipped"
    return
  fi
  echo "$eco/$n: lint --fix changes"
  diff "$d/unopt.Dockerfile" "$d/opt.Dockerfile" | grep '^[<>]' | sed 's/^/    /'
  for v in unopt opt; do
    rm -rf "$d/store"
    cp -r "$pstore" "$d/store"
    "$dw" build --cache-dir "$d/store" -q -f "$d/$v.Dockerfile" --report "$d/$v.cold.json" \
      "$d/ctx" >"$work/log" 2>&1 || { echo "  $v: build failed:"; tail -5 "$work/log"; continue; }
    report_line "$v, cold" "$d/$v.cold.json" layers
    echo "# a one-line change" >>"$d/ctx/$changed"
    "$dw" build --cache-dir "$d/store" -q -f "$d/$v.Dockerfile" --report "$d/$v.warm.json" \
      "$d/ctx" >"$work/log" 2>&1 || { echo "  $v: rebuild failed:"; tail -5 "$work/log"; continue; }
    report_line "$v, $changed changed" "$d/$v.warm.json"
    cp "$src.context/$changed" "$d/ctx/$changed"
  done
}
pair pip requirements app/__main__.py
pair npm ci server.js
