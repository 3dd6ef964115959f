#!/usr/bin/env bash
# dockwright image and cache over a store in a temporary directory: a
# docker-archive and an oci-archive made here with tar and sha256sum are
# imported, listed, analyzed, exported and imported again (same digest),
# removed, and `cache prune` frees the blobs no name reaches.
# Usage: test_image.sh DOCKWRIGHT
set -u
dw=${1:?usage: test_image.sh DOCKWRIGHT}
for tool in tar sha256sum gzip stat; do
  command -v "$tool" >/dev/null || { echo "skip: $tool not found"; exit 77; }
done
tmp=$(mktemp -d "${TMPDIR:-/tmp}/dw-image-test.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
fail=0
check() { # description, expected rc, actual rc
  if [ "$2" != "$3" ]; then echo "FAIL: $1 (exit $3, want $2)"; fail=1; fi
}
expect_out() { # description, pattern, text
  if ! grep -qE -- "$2" <<<"$3"; then echo "FAIL: $1: output lacks /$2/:"; echo "$3"; fail=1; fi
}
lacks_out() { # description, pattern, text
  if grep -qE -- "$2" <<<"$3"; then echo "FAIL: $1: output has /$2/:"; echo "$3"; fail=1; fi
}
sha() { sha256sum "$1" | cut -d' ' -f1; }
size() { stat -c %s "$1"; }
# Deterministic tars: sorted names, fixed owner and time.
mktar() { # output, directory
  tar --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 --format=pax \
      --pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime -cf "$1" -C "$2" .
}
S=(--cache-dir "$tmp/store")

# ---- two layers: the second deletes a 3000-byte file and adds one ----
mkdir -p "$tmp/r1/etc" "$tmp/r1/opt" "$tmp/r2/opt"
printf 'hello\n' >"$tmp/r1/etc/motd"
head -c 3000 /dev/zero | tr '\0' 'a' >"$tmp/r1/opt/big.bin"
: >"$tmp/r2/opt/.wh.big.bin"
printf 'small\n' >"$tmp/r2/opt/small.txt"
mktar "$tmp/l1.tar" "$tmp/r1"
mktar "$tmp/l2.tar" "$tmp/r2"
d1=$(sha "$tmp/l1.tar") d2=$(sha "$tmp/l2.tar")
config='{"architecture":"amd64","os":"linux","config":{"Cmd":["sh"]},'
config+='"rootfs":{"type":"layers","diff_ids":["sha256:'$d1'","sha256:'$d2'"]},'
config+='"history":[{"created_by":"/bin/sh -c #(nop) ADD file:abc in / "},'
config+='{"created_by":"/bin/sh -c #(nop)  CMD [\"sh\"]","empty_layer":true},'
config+='{"created_by":"/bin/sh -c rm /opt/big.bin && echo small > /opt/small.txt"}]}'

# docker-archive (docker save's legacy layout)
mkdir -p "$tmp/docker/aaa" "$tmp/docker/bbb"
cp "$tmp/l1.tar" "$tmp/docker/aaa/layer.tar"
cp "$tmp/l2.tar" "$tmp/docker/bbb/layer.tar"
printf '%s' "$config" >"$tmp/docker/config.json"
printf '[{"Config":"config.json","RepoTags":["test/app:1"],"Layers":["aaa/layer.tar","bbb/layer.tar"]}]' \
  >"$tmp/docker/manifest.json"
mktar "$tmp/docker.tar" "$tmp/docker"

# oci-archive: one gzip layer, named "one" in index.json
mkdir -p "$tmp/oci/blobs/sha256"
gzip -n -c "$tmp/l1.tar" >"$tmp/l1.tar.gz"
lg=$(sha "$tmp/l1.tar.gz")
cp "$tmp/l1.tar.gz" "$tmp/oci/blobs/sha256/$lg"
ocfg='{"architecture":"arm64","os":"linux","rootfs":{"type":"layers","diff_ids":["sha256:'$d1'"]}}'
printf '%s' "$ocfg" >"$tmp/cfg.json"
cg=$(sha "$tmp/cfg.json")
cp "$tmp/cfg.json" "$tmp/oci/blobs/sha256/$cg"
man='{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",'
man+='"config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:'$cg'","size":'$(size "$tmp/cfg.json")'},'
man+='"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:'$lg'","size":'$(size "$tmp/l1.tar.gz")'}]}'
printf '%s' "$man" >"$tmp/man.json"
mg=$(sha "$tmp/man.json")
cp "$tmp/man.json" "$tmp/oci/blobs/sha256/$mg"
printf '{"imageLayoutVersion":"1.0.0"}' >"$tmp/oci/oci-layout"
printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%s,"annotations":{"org.opencontainers.image.ref.name":"one"}}]}' \
  "$mg" "$(size "$tmp/man.json")" >"$tmp/oci/index.json"
mktar "$tmp/oci.tar" "$tmp/oci"

# ---- import ----
out=$("$dw" image import "$tmp/docker.tar" "${S[@]}"); check "import docker-archive" 0 $?
expect_out "import names the image" "^imported test/app:1 \(sha256:[0-9a-f]{64}\) from docker-archive '" "$out"
out=$("$dw" image import "$tmp/oci.tar" other:2 "${S[@]}"); check "import oci-archive" 0 $?
expect_out "import with a reference" "^imported other:2 \(sha256:$mg\) from oci-archive '" "$out"

# ---- ls ----
out=$("$dw" image ls "${S[@]}"); check "ls" 0 $?
expect_out "ls header" '^REFERENCE +DIGEST +PLATFORM +LAYERS +COMPRESSED$' "$out"
expect_out "ls docker image" '^test/app:1 +sha256:[0-9a-f]{12} +linux/amd64 +2 +[0-9.]+ kB$' "$out"
expect_out "ls oci image" "^other:2 +sha256:${mg:0:12} +linux/arm64 +1 +[0-9]+ B$" "$out"
[ "$(sed -n 2p <<<"$out" | cut -d' ' -f1)" = other:2 ] || { echo "FAIL: ls is not sorted"; fail=1; }
out=$("$dw" image ls --format json "${S[@]}"); check "ls json" 0 $?
expect_out "ls json" "\"digest\": \"sha256:$mg\"" "$out"
expect_out "ls json layers" '"layers": 2' "$out"

# ---- analyze: the deleted 3000 bytes are wasted ----
out=$("$dw" image analyze test/app:1 "${S[@]}"); check "analyze" 0 $?
expect_out "analyze header" '^STEP +INSTRUCTION +LAYER +SIZE +COMPRESSED +FILES +WASTED$' "$out"
expect_out "analyze ADD step" '^1 +ADD file:abc in / +1 +3.01 kB +[0-9.]+ kB +2 +3.00 kB$' "$out"
expect_out "analyze CMD step" '^2 +CMD \["sh"\] +- +- +- +- +-$' "$out"
expect_out "analyze RUN step" '^3 +/bin/sh -c rm /opt/big.bin && echo small > /o\.\.\. +2 +6 B ' "$out"
expect_out "analyze image" 'wasted 3.00 kB, efficiency 0.4%' "$out"
expect_out "analyze wasted file" '^  3.00 kB  /opt/big.bin  \(layer 1, deleted in layer 2\)$' "$out"
out=$("$dw" image analyze test/app:1 --format json --paths 0 "${S[@]}"); check "analyze json" 0 $?
expect_out "analyze json version" '^  "version": 1,$' "$out"
expect_out "analyze json wasted" '^    "wasted_bytes": 3000,$' "$out"
expect_out "analyze json no paths" '"wasted_paths": \[\]' "$out"
expect_out "analyze json history text" '"instruction": "CMD \[\\"sh\\"\]",' "$out"
# Each layer's analysis is cached in the store by blob digest; the report
# read from the cache is the one read from the tars, byte for byte.
an=$tmp/store/analysis
n_an=$(ls "$an" | grep -cE '^[0-9a-f]{64}$')
[ "$n_an" = 2 ] || { echo "FAIL: $n_an cached layer analyses after analyze, want 2"; fail=1; }
rm -f "$an"/*
cold=$("$dw" image analyze test/app:1 --format json "${S[@]}"); check "analyze uncached" 0 $?
warm=$("$dw" image analyze test/app:1 --format json "${S[@]}"); check "analyze cached" 0 $?
[ -n "$cold" ] && [ "$cold" = "$warm" ] ||
  { echo "FAIL: analyze json differs with the layer analyses cached"; diff <(echo "$cold") <(echo "$warm"); fail=1; }
# a damaged cache file is ignored, the tar read again and the file rewritten
for f in "$an"/*; do
  sz=$(size "$f")
  head -c $((sz / 2)) "$f" >"$f.cut" && mv "$f.cut" "$f"
  warm=$("$dw" image analyze test/app:1 --format json "${S[@]}"); check "analyze truncated cache" 0 $?
  [ "$cold" = "$warm" ] || { echo "FAIL: analyze json differs with a truncated cache file"; fail=1; }
  [ "$(size "$f")" = "$sz" ] || { echo "FAIL: truncated cache file not rewritten"; fail=1; }
  printf 'X' | dd of="$f" bs=1 seek=100 conv=notrunc status=none
  warm=$("$dw" image analyze test/app:1 --format json "${S[@]}"); check "analyze corrupt cache" 0 $?
  [ "$cold" = "$warm" ] || { echo "FAIL: analyze json differs with a corrupt cache file"; fail=1; }
done
err=$("$dw" image analyze nope:1 "${S[@]}" 2>&1); check "analyze unknown" 2 $?
expect_out "analyze unknown" "^dockwright: no image named 'nope:1' in the store$" "$err"
err=$("$dw" image analyze test/app:1 --paths x "${S[@]}" 2>&1); check "analyze bad --paths" 2 $?

# ---- export round trips ----
for kind in oci oci-archive docker-archive; do
  dest="$tmp/out-$kind"
  out=$("$dw" image export test/app:1 --output "$kind:$dest" "${S[@]}"); check "export $kind" 0 $?
  expect_out "export $kind" "^exported test/app:1 to $kind:" "$out"
  out=$("$dw" image import "$dest" back:1 --cache-dir "$tmp/store-$kind"); check "re-import $kind" 0 $?
done
# the exported docker image comes back with the digest it had
want=$("$dw" image ls "${S[@]}" | awk '$1 == "test/app:1" {print $2}')
got=$("$dw" image ls --cache-dir "$tmp/store-oci-archive" | awk '$1 == "back:1" {print $2}')
[ -n "$want" ] && [ "$want" = "$got" ] || { echo "FAIL: oci-archive round trip: $want != $got"; fail=1; }
got=$("$dw" image ls --cache-dir "$tmp/store-oci" | awk '$1 == "back:1" {print $2}')
[ "$want" = "$got" ] || { echo "FAIL: oci round trip: $want != $got"; fail=1; }
got=$("$dw" image ls --cache-dir "$tmp/store-docker-archive" | awk '$1 == "back:1" {print $2}')
[ "$want" = "$got" ] || { echo "FAIL: docker-archive round trip: $want != $got"; fail=1; }
err=$("$dw" image export test/app:1 --output "oci-archive:$tmp/out-oci-archive" "${S[@]}" 2>&1)
check "export over a file" 2 $?
expect_out "export over a file" "already exists" "$err"
err=$("$dw" image export test/app:1 "${S[@]}" 2>&1); check "export without --output" 2 $?
expect_out "export without --output" "needs --output" "$err"
err=$("$dw" image export test/app:1 --output "zip:$tmp/x" "${S[@]}" 2>&1); check "export bad kind" 2 $?
expect_out "export bad kind" "^dockwright: invalid --output 'zip:" "$err"

# ---- rm and prune ----
blobs_before=$(ls "$tmp/store/blobs/sha256" | wc -l)
out=$("$dw" cache du "${S[@]}"); check "du" 0 $?
expect_out "du in use" '^blobs in use +7 ' "$out"
expect_out "du unused" '^blobs unused +0 ' "$out"
expect_out "du analyses" '^layer analyses +2 ' "$out"
out=$("$dw" image rm test/app:1 "${S[@]}"); check "rm" 0 $?
expect_out "rm" '^removed test/app:1$' "$out"
out=$("$dw" image ls "${S[@]}")
lacks_out "ls after rm" '^test/app:1 ' "$out"
err=$("$dw" image rm test/app:1 "${S[@]}" 2>&1); check "rm again" 2 $?
expect_out "rm again" "^dockwright: no image named 'test/app:1' in the store$" "$err"
out=$("$dw" cache du "${S[@]}"); check "du after rm" 0 $?
expect_out "du after rm" '^blobs unused +4 ' "$out"
out=$("$dw" cache prune "${S[@]}"); check "prune keeps young blobs" 0 $?
expect_out "prune keeps young blobs" '^removed 0 blobs' "$out"
out=$("$dw" cache prune --min-age 0 "${S[@]}"); check "prune" 0 $?
expect_out "prune" '^removed 4 blobs \([0-9.]+ kB\) and 0 extracted layers; kept 3 blobs' "$out"
expect_out "prune analyses" '^removed 2 layer analyses of removed blobs$' "$out"
blobs_after=$(ls "$tmp/store/blobs/sha256" | wc -l)
[ "$blobs_before" = 7 ] && [ "$blobs_after" = 3 ] ||
  { echo "FAIL: blobs before/after prune: $blobs_before/$blobs_after, want 7/3"; fail=1; }
# what is left is whole
out=$("$dw" image export other:2 --output "oci:$tmp/left" "${S[@]}"); check "export after prune" 0 $?
err=$("$dw" cache prune --min-age soon "${S[@]}" 2>&1); check "prune bad age" 2 $?
expect_out "prune bad age" "^dockwright: invalid --min-age 'soon'" "$err"

# ---- usage errors ----
err=$("$dw" image "${S[@]}" 2>&1); check "image without subcommand" 2 $?
expect_out "image without subcommand" "needs a subcommand" "$err"
err=$("$dw" image frob "${S[@]}" 2>&1); check "unknown subcommand" 2 $?
err=$("$dw" image ls --output oci:x "${S[@]}" 2>&1); check "option of another subcommand" 2 $?
expect_out "option of another subcommand" "does not apply to 'image ls'" "$err"
err=$("$dw" image import "$tmp/missing.tar" "${S[@]}" 2>&1); check "import missing file" 2 $?
[ "$(wc -l <<<"$err")" = 1 ] || { echo "FAIL: import error is not one line: $err"; fail=1; }
printf 'garbage' >"$tmp/junk.tar"
err=$("$dw" image import "$tmp/junk.tar" "${S[@]}" 2>&1); check "import junk" 2 $?
err=$("$dw" cache "${S[@]}" 2>&1); check "cache without subcommand" 2 $?
err=$("$dw" cache du --min-age 0 "${S[@]}" 2>&1); check "du with --min-age" 2 $?
out=$(HOME= XDG_CACHE_HOME= "$dw" image ls 2>&1); check "no cache directory" 2 $?
expect_out "no cache directory" "pass --cache-dir" "$out"

[ $fail = 0 ] && echo "image and cache commands: all passed"
exit $fail
