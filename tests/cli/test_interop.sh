#!/usr/bin/env bash
# What `dockwright build` writes, read back by other tools, and images made
# by other tools, built upon (issue #7). As root, over a busybox image made
# at test time (make_busybox_rootfs.sh):
#  - a multi-stage build with several layers, a deleted base file, a
#    directory replaced in a later layer (an opaque directory) and every
#    config instruction, written as --output oci:DIR, oci-archive:FILE,
#    docker-archive:FILE and -t REF then `image export`;
#  - `skopeo inspect` of each: manifest digest, layer count and digests,
#    Env, Cmd, Entrypoint, User, WorkingDir, Labels, ExposedPorts, Volumes,
#    StopSignal and Healthcheck as written;
#  - `skopeo copy` of each to a fresh oci: layout (skopeo verifies every
#    digest while it copies), and to a docker-archive that imports back
#    with our config;
#  - `umoci unpack` of our layout: the files of every layer, a deleted
#    file gone, the replaced directory holding only its new content, modes
#    and owners; `umoci stat`: our history entries;
#  - the reverse: an image made by umoci (init/new/unpack/repack/insert,
#    with a whiteout and an opaque directory, config set with umoci config)
#    and the same image copied by skopeo to docker-archive and oci-archive,
#    imported into our store and built FROM.
# Usage: test_interop.sh DOCKWRIGHT MAKE_BUSYBOX_ROOTFS (DW_KEEP_TMP=1 keeps
# the temporary directory for a look after a failure)
# Exits 77 (skip) without root, busybox-static, skopeo, umoci, python3 or
# namespaces/overlayfs.
set -u
dw=${1:?usage: test_interop.sh DOCKWRIGHT MAKE_BUSYBOX_ROOTFS}
mkroot=${2:?usage: test_interop.sh DOCKWRIGHT MAKE_BUSYBOX_ROOTFS}
if [ "$(id -u)" != 0 ]; then echo "skip: needs root"; exit 77; fi
for tool in tar sha256sum skopeo umoci python3; do
  command -v "$tool" >/dev/null || { echo "skip: $tool not found"; exit 77; }
done
tmp=$(mktemp -d "${TMPDIR:-/tmp}/dw-interop-test.XXXXXX") || exit 1
[ -n "${DW_KEEP_TMP:-}" ] || trap 'rm -rf "$tmp"' EXIT
export TMPDIR=$tmp
unset CI SOURCE_DATE_EPOCH
fail=0
check() { # description, expected, actual
  if [ "$2" != "$3" ]; then echo "FAIL: $1 (got '$3', want '$2')"; fail=1; fi
}
expect_out() { # description, pattern, text
  if ! grep -qE -- "$2" <<<"$3"; then echo "FAIL: $1: output lacks /$2/:"; echo "$3"; fail=1; fi
}
sha() { sha256sum "$1" | cut -d' ' -f1; }
digest_of() { grep -oE '^built sha256:[0-9a-f]{64}' <<<"$1" | cut -d' ' -f2; }
# jget FILE EXPR: prints the Python expression EXPR over the JSON object j
# read from FILE (compact JSON for lists and objects, text for strings).
jget() {
  python3 - "$1" "$2" <<'PY'
import json, sys
with open(sys.argv[1]) as f:
    j = json.load(f)
v = eval(sys.argv[2], {"j": j})
print(v if isinstance(v, str) else json.dumps(v, sort_keys=True, separators=(",", ":")))
PY
}
SK=(--insecure-policy)

# ---- the base image ----
sh "$mkroot" "$tmp/rootfs"
rc=$?
if [ $rc = 77 ]; then echo "skip: busybox-static is not installed"; exit 77; fi
check "make_busybox_rootfs" 0 $rc
mkdir "$tmp/arch"
tar --sort=name --numeric-owner --mtime=@0 -cf "$tmp/layer.tar" -C "$tmp/rootfs" .
diff=$(sha "$tmp/layer.tar")
mv "$tmp/layer.tar" "$tmp/arch/$diff.tar"
cat >"$tmp/cfg.json" <<EOF
{"architecture":"amd64","os":"linux","config":{"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],"Cmd":["sh"]},"rootfs":{"type":"layers","diff_ids":["sha256:$diff"]},"history":[{"created_by":"busybox rootfs"}]}
EOF
cfg=$(sha "$tmp/cfg.json")
mv "$tmp/cfg.json" "$tmp/arch/$cfg.json"
printf '[{"Config":"%s.json","RepoTags":["busybox:latest"],"Layers":["%s.tar"]}]' "$cfg" "$diff" \
  >"$tmp/arch/manifest.json"
tar -cf "$tmp/busybox.tar" -C "$tmp/arch" .
S=(--cache-dir "$tmp/store")
out=$("$dw" image import "${S[@]}" "$tmp/busybox.tar" 2>&1)
check "import busybox: $out" 0 $?

# ---- our image: multi-stage, several layers, whiteouts, every config ----
ctx=$tmp/ctx
mkdir -p "$ctx/conf"
printf 'hello\n' >"$ctx/hello.txt"
printf 'k=v\n' >"$ctx/conf/app.conf"
cat >"$ctx/Dockerfile" <<'EOF'
FROM busybox AS build
RUN mkdir -p /out/old /out/keep && echo one > /out/old/a && echo two > /out/old/b && echo kept > /out/keep/k
RUN echo built > /out/made

FROM busybox
COPY --from=build /out /data
COPY hello.txt /data/hello.txt
COPY --chmod=0640 conf /etc/app/
RUN rm /bin/wc /data/keep/k && rm -rf /data/old && mkdir /data/old && echo fresh > /data/old/c
RUN mkdir -p /home/app/run && chown app:app /home/app/run && echo x > /home/app/run/f
ENV APP_MODE=prod GREETING="hello world"
LABEL org.example.vendor=dockwright "org.example.description"="a test image"
EXPOSE 8080 53/udp
VOLUME ["/data/vol", "/cache"]
WORKDIR /data
USER app:app
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=30s --timeout=5s --start-period=2s --retries=4 CMD ["test", "-f", "/data/made"]
ENTRYPOINT ["/bin/sh", "-c"]
CMD ["cat /data/made"]
EOF
out=$("$dw" build "${S[@]}" -t interop:1 --output "oci:$tmp/oci" "$ctx" 2>&1)
rc=$?
if [ $rc != 0 ] && grep -qiE 'overlay|namespace|unshare|not permitted|unsupported' <<<"$out"; then
  echo "skip: containers cannot run here: $out"
  exit 77
fi
check "build with --output oci: $out" 0 $rc
d=$(digest_of "$out")
[ -n "$d" ] || { echo "FAIL: no digest printed"; exit 1; }
out=$("$dw" build "${S[@]}" --output "oci-archive:$tmp/img.oci.tar" "$ctx" 2>&1)
check "build with --output oci-archive: $out" 0 $?
check "cached rebuild, same digest (oci-archive)" "$d" "$(digest_of "$out")"
out=$("$dw" build "${S[@]}" --output "docker-archive:$tmp/img.docker.tar" "$ctx" 2>&1)
check "build with --output docker-archive: $out" 0 $?
out=$("$dw" image export "${S[@]}" interop:1 --output "oci:$tmp/exported" 2>&1)
check "image export: $out" 0 $?
out=$("$dw" image export "${S[@]}" interop:1 --output "oci-archive:$tmp/exported.tar" \
  --name example.org/interop:v1 2>&1)
check "image export --name: $out" 0 $?

# What we wrote, read from our own layout: the manifest and config blobs.
man=$(jget "$tmp/oci/index.json" 'j["manifests"][0]["digest"]')
check "the layout's manifest is the built image" "$d" "$man"
blob() { echo "$tmp/oci/blobs/sha256/${1#sha256:}"; }
cfgd=$(jget "$(blob "$man")" 'j["config"]["digest"]')
layers=$(jget "$(blob "$man")" '[l["digest"] for l in j["layers"]]')
nlayers=$(jget "$(blob "$man")" 'len(j["layers"])')
hist=$(jget "$(blob "$cfgd")" '[h.get("created_by", "") for h in j["history"]]')
# busybox, COPY x3, RUN x2 (and WORKDIR when it leaves a layer)
[ "$nlayers" -ge 6 ] || { echo "FAIL: $nlayers layers, want at least 6"; fail=1; }
check "one history entry per layer" "$nlayers" \
  "$(jget "$(blob "$cfgd")" 'len([h for h in j["history"] if not h.get("empty_layer")])')"

# skopeo inspect of every output: digest, layers, config.
inspect_all() { # label, transport:path
  local label=$1 ref=$2 raw cfgj
  raw=$(skopeo "${SK[@]}" inspect --raw "$ref" 2>&1) || {
    echo "FAIL: skopeo inspect --raw $label: $raw"
    fail=1
    return
  }
  printf '%s' "$raw" >"$tmp/raw.json"
  # The config as stored: skopeo's converted view (--config alone) is the
  # OCI image-spec's, which has no Healthcheck.
  cfgj=$(skopeo "${SK[@]}" inspect --config --raw "$ref" 2>&1) || {
    echo "FAIL: skopeo inspect --config $label: $cfgj"
    fail=1
    return
  }
  printf '%s' "$cfgj" >"$tmp/cfg.json"
  skopeo "${SK[@]}" inspect "$ref" >"$tmp/insp.json" 2>&1 || {
    echo "FAIL: skopeo inspect $label: $(cat "$tmp/insp.json")"
    fail=1
    return
  }
  local c="$tmp/cfg.json" i="$tmp/insp.json"
  check "$label: layer count" "$nlayers" "$(jget "$i" 'len(j["Layers"])')"
  check "$label: diff_ids" "$(jget "$(blob "$cfgd")" 'j["rootfs"]["diff_ids"]')" \
    "$(jget "$c" 'j["rootfs"]["diff_ids"]')"
  check "$label: Env" '["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin","APP_MODE=prod","GREETING=hello world"]' \
    "$(jget "$c" 'j["config"]["Env"]')"
  check "$label: Cmd" '["cat /data/made"]' "$(jget "$c" 'j["config"]["Cmd"]')"
  check "$label: Entrypoint" '["/bin/sh","-c"]' "$(jget "$c" 'j["config"]["Entrypoint"]')"
  check "$label: User" 'app:app' "$(jget "$c" 'j["config"]["User"]')"
  check "$label: WorkingDir" '/data' "$(jget "$c" 'j["config"]["WorkingDir"]')"
  check "$label: StopSignal" 'SIGTERM' "$(jget "$c" 'j["config"].get("StopSignal")')"
  check "$label: Labels" '{"org.example.description":"a test image","org.example.vendor":"dockwright"}' \
    "$(jget "$c" 'j["config"]["Labels"]')"
  check "$label: Labels (inspect)" '{"org.example.description":"a test image","org.example.vendor":"dockwright"}' \
    "$(jget "$i" 'j["Labels"]')"
  check "$label: ExposedPorts" '["53/udp","8080/tcp"]' \
    "$(jget "$c" 'sorted(j["config"]["ExposedPorts"])')"
  check "$label: Volumes" '["/cache","/data/vol"]' "$(jget "$c" 'sorted(j["config"]["Volumes"])')"
  check "$label: Healthcheck" \
    '{"Interval":30000000000,"Retries":4,"StartPeriod":2000000000,"Test":["CMD","test","-f","/data/made"],"Timeout":5000000000}' \
    "$(jget "$c" 'j["config"]["Healthcheck"]')"
  check "$label: history" "$hist" "$(jget "$c" '[h.get("created_by", "") for h in j["history"]]')"
  check "$label: os/architecture" 'linux/amd64' "$(jget "$c" 'j["os"] + "/" + j["architecture"]')"
  check "$label: Env (inspect)" "$(jget "$c" 'j["config"]["Env"]')" "$(jget "$i" 'j["Env"]')"
  check "$label: os (inspect)" 'linux/amd64' "$(jget "$i" 'j["Os"] + "/" + j["Architecture"]')"
  skopeo "${SK[@]}" inspect --config "$ref" >"$tmp/ocicfg.json" 2>&1 || {
    echo "FAIL: skopeo inspect --config $label: $(cat "$tmp/ocicfg.json")"
    fail=1
    return
  }
  check "$label: OCI view of the config" \
    "$(jget "$c" '[j["config"][k] for k in ("Cmd", "Entrypoint", "User", "WorkingDir", "Labels")]')" \
    "$(jget "$tmp/ocicfg.json" '[j["config"][k] for k in ("Cmd", "Entrypoint", "User", "WorkingDir", "Labels")]')"
}
inspect_all "oci:" "oci:$tmp/oci"
check "oci: manifest digest" "$d" "$(jget "$tmp/insp.json" 'j["Digest"]')"
check "oci: layer digests" "$layers" "$(jget "$tmp/insp.json" 'j["Layers"]')"
inspect_all "oci: by name" "oci:$tmp/oci:interop:1"
inspect_all "oci-archive:" "oci-archive:$tmp/img.oci.tar"
check "oci-archive: manifest digest" "$d" "$(jget "$tmp/insp.json" 'j["Digest"]')"
check "oci-archive: layer digests" "$layers" "$(jget "$tmp/insp.json" 'j["Layers"]')"
inspect_all "image export oci:" "oci:$tmp/exported"
check "image export: manifest digest" "$d" "$(jget "$tmp/insp.json" 'j["Digest"]')"
inspect_all "image export --name" "oci-archive:$tmp/exported.tar:example.org/interop:v1"
check "image export --name: manifest digest" "$d" "$(jget "$tmp/insp.json" 'j["Digest"]')"
inspect_all "docker-archive:" "docker-archive:$tmp/img.docker.tar"
check "docker-archive: config digest" "$cfgd" \
  "$(jget "$tmp/raw.json" 'j["config"]["digest"]')"
inspect_all "docker-archive: by name" "docker-archive:$tmp/img.docker.tar:dockwright-build:latest"

# skopeo copy verifies every blob against its digest.
n=0
for src in "oci:$tmp/oci" "oci-archive:$tmp/img.oci.tar" "docker-archive:$tmp/img.docker.tar" \
  "oci:$tmp/exported"; do
  n=$((n + 1))
  pd=()
  case $src in oci*) pd=(--preserve-digests) ;; esac
  out=$(skopeo "${SK[@]}" copy "${pd[@]}" "$src" "oci:$tmp/copy$n:c" 2>&1)
  check "skopeo copy $src: $out" 0 $?
done
# Copied from an OCI source with --preserve-digests, the manifest is ours.
check "skopeo copy keeps the manifest" "$d" \
  "$(jget "$tmp/copy1/index.json" 'j["manifests"][0]["digest"]')"
# The docker-archive copy has the same layers (diff_ids) as the original.
c4=$(jget "$tmp/copy3/index.json" 'j["manifests"][0]["digest"]')
c4cfg=$(jget "$tmp/copy3/blobs/sha256/${c4#sha256:}" 'j["config"]["digest"]')
check "docker-archive copy: same diff_ids" \
  "$(jget "$(blob "$cfgd")" 'j["rootfs"]["diff_ids"]')" \
  "$(jget "$tmp/copy3/blobs/sha256/${c4cfg#sha256:}" 'j["rootfs"]["diff_ids"]')"

# Round trip through skopeo's docker-archive writer (uncompressed layers,
# a full name): our import keeps the config, so the image is the same.
out=$(skopeo "${SK[@]}" copy "oci:$tmp/oci" "docker-archive:$tmp/rt.tar:rt:1" 2>&1)
check "skopeo copy to docker-archive: $out" 0 $?
out=$("$dw" image import --cache-dir "$tmp/rtstore" "$tmp/rt.tar" 2>&1)
check "import skopeo's docker-archive of our image: $out" 0 $?
out=$("$dw" image export --cache-dir "$tmp/rtstore" rt:1 --output "oci:$tmp/rtoci" 2>&1)
check "export it by its short name: $out" 0 $?
if [ -f "$tmp/rtoci/index.json" ]; then
  rtman=$(jget "$tmp/rtoci/index.json" 'j["manifests"][0]["digest"]')
  check "round trip: the same config" "$cfgd" \
    "$(jget "$tmp/rtoci/blobs/sha256/${rtman#sha256:}" 'j["config"]["digest"]')"
fi

# umoci unpack: the files and the whiteouts' effect.
out=$(umoci unpack --image "$tmp/oci:interop:1" "$tmp/bundle" 2>&1)
check "umoci unpack: $out" 0 $?
r=$tmp/bundle/rootfs
for f in data/made data/hello.txt data/old/c etc/app/app.conf bin/busybox bin/sh home/app/run/f; do
  [ -e "$r/$f" ] || { echo "FAIL: umoci unpack: /$f missing"; fail=1; }
done
check "COPY content" hello "$(cat "$r/data/hello.txt" 2>/dev/null)"
check "RUN content from the first stage" built "$(cat "$r/data/made" 2>/dev/null)"
[ ! -e "$r/bin/wc" ] || { echo "FAIL: a deleted base file (/bin/wc) is back"; fail=1; }
[ ! -e "$r/data/keep/k" ] || { echo "FAIL: a deleted file (/data/keep/k) is back"; fail=1; }
[ -d "$r/data/keep" ] || { echo "FAIL: /data/keep (emptied, not deleted) is gone"; fail=1; }
check "the replaced directory holds only its new content" c "$(ls -A "$r/data/old" 2>/dev/null)"
check "COPY --chmod" 640 "$(stat -c %a "$r/etc/app/app.conf" 2>/dev/null)"
check "chown in RUN" 1000:1000 "$(stat -c %u:%g "$r/home/app/run" 2>/dev/null)"
wh=$(find "$r" -name '.wh.*' 2>/dev/null)
check "no whiteout file left in the rootfs" "" "$wh"
# umoci's generated runtime config carries our config.
rt=$tmp/bundle/config.json
check "umoci runtime args" '["/bin/sh","-c","cat /data/made"]' "$(jget "$rt" 'j["process"]["args"]')"
check "umoci runtime cwd" '/data' "$(jget "$rt" 'j["process"]["cwd"]')"
check "umoci runtime user" '1000:1000' "$(jget "$rt" '"%d:%d" % (j["process"]["user"]["uid"], j["process"]["user"]["gid"])')"
# umoci stat: the history as we wrote it.
out=$(umoci stat --image "$tmp/oci:interop:1" --json 2>&1)
check "umoci stat" 0 $?
printf '%s' "$out" >"$tmp/stat.json"
check "umoci stat: history" "$hist" \
  "$(jget "$tmp/stat.json" '[h.get("created_by", "") for h in j["history"]]')"
check "umoci stat: empty layers" \
  "$(jget "$(blob "$cfgd")" '[bool(h.get("empty_layer")) for h in j["history"]]')" \
  "$(jget "$tmp/stat.json" '[bool(h.get("empty_layer")) for h in j["history"]]')"
check "umoci stat: layers in history" "$nlayers" \
  "$(jget "$tmp/stat.json" 'len([h for h in j["history"] if not h.get("empty_layer")])')"
expect_out "history names RUN" 'RUN /bin/sh -c rm /bin/wc' "$hist"
expect_out "history names HEALTHCHECK" 'HEALTHCHECK' "$hist"

# ---- the reverse: images made by umoci and skopeo ----
L=$tmp/ulayout
out=$(umoci init --layout "$L" 2>&1) && out=$(umoci new --image "$L:base" 2>&1)
check "umoci init/new: $out" 0 $?
out=$(umoci unpack --image "$L:base" "$tmp/ub" 2>&1)
check "umoci unpack of an empty image: $out" 0 $?
cp -a "$tmp/rootfs/." "$tmp/ub/rootfs/"
mkdir -p "$tmp/ub/rootfs/srv/old" "$tmp/ub/rootfs/srv/gone"
echo old >"$tmp/ub/rootfs/srv/old/o"
echo gone >"$tmp/ub/rootfs/srv/gone/g"
out=$(umoci repack --image "$L:base" "$tmp/ub" 2>&1)
check "umoci repack: $out" 0 $?
mkdir -p "$tmp/ins/new"
echo inserted >"$tmp/ins/new/n"
out=$(umoci insert --image "$L:base" "$tmp/ins/new" /srv/new 2>&1)
check "umoci insert: $out" 0 $?
out=$(umoci insert --image "$L:base" --whiteout /srv/gone 2>&1)
check "umoci insert --whiteout: $out" 0 $?
out=$(umoci insert --image "$L:base" --opaque "$tmp/ins/new" /srv/old 2>&1)
check "umoci insert --opaque: $out" 0 $?
out=$(umoci config --image "$L:base" --config.env GREETING=umoci --config.workingdir /srv \
  --config.user app --config.cmd sh 2>&1)
check "umoci config: $out" 0 $?
out=$(skopeo "${SK[@]}" copy "oci:$L:base" "docker-archive:$tmp/u.docker.tar:ubase:docker" 2>&1)
check "skopeo copy to docker-archive: $out" 0 $?
out=$(skopeo "${SK[@]}" copy "oci:$L:base" "oci-archive:$tmp/u.oci.tar:ubase:ociarch" 2>&1)
check "skopeo copy to oci-archive: $out" 0 $?
U=(--cache-dir "$tmp/ustore")
out=$("$dw" image import "${U[@]}" "$L" ubase:layout 2>&1)
check "import the umoci layout: $out" 0 $?
out=$("$dw" image import "${U[@]}" "$tmp/u.docker.tar" 2>&1)
check "import skopeo's docker-archive: $out" 0 $?
expect_out "docker-archive name" 'ubase:docker' "$out"
out=$("$dw" image import "${U[@]}" "$tmp/u.oci.tar" 2>&1)
check "import skopeo's oci-archive: $out" 0 $?
ufd=$tmp/uctx
mkdir -p "$ufd"
# skopeo names the docker-archive image docker.io/library/ubase:docker:
# FROM finds it by the short name, as Docker would.
for ref in ubase:layout ubase:docker ubase:ociarch; do
  cat >"$ufd/Dockerfile" <<EOF
FROM $ref
RUN echo "\$GREETING in \$(pwd) as \$(id -un)" && cat /srv/new/n && ls /srv/old && ls /srv && cat /srv/old/n
USER root
RUN test ! -e /srv/gone && test ! -e /srv/old/o && echo whiteouts-ok
EOF
  out=$("$dw" build "${U[@]}" --no-cache "$ufd" 2>&1)
  check "build FROM $ref: $out" 0 $?
  expect_out "$ref: config from umoci" 'STEP 2/4: umoci in /srv as app$' "$out"
  expect_out "$ref: umoci insert content" 'STEP 2/4: inserted$' "$out"
  expect_out "$ref: whiteout and opaque dir" 'STEP 4/4: whiteouts-ok$' "$out"
done
# The three imports are one image: the same layers, so the same build.
a=$("$dw" image ls "${U[@]}" --format json 2>&1)
printf '%s' "$a" >"$tmp/ls.json"
check "the layout and oci-archive imports have one digest" 1 \
  "$(jget "$tmp/ls.json" 'len({i["digest"] for i in (j if isinstance(j, list) else j["images"]) if i["name"].startswith("ubase:layout") or i["name"].startswith("ubase:ociarch")})')"

if [ $fail = 0 ]; then echo "ok"; fi
exit $fail
