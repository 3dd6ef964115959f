#!/usr/bin/env bash
# dockwright build end to end, as root: a busybox base image is made here
# (make_busybox_rootfs.sh, a docker-archive written with tar, `image
# import`), then: a single-stage build with RUN/COPY/ENV/WORKDIR/USER/CMD
# (the config read back from --output oci:DIR), a fully cached rebuild, a
# rebuild after a context change (cached up to the COPY), .dockerignore,
# a multi-stage build with COPY --from, --target and --build-arg, a
# reproducible digest (two --no-cache builds into two stores), a failing
# RUN (exit 2, its exit code in the message, the store still usable), the
# --report JSON, usage errors, three concurrent builds on one cache dir
# (then prune and fully cached rebuilds), --platform for a stage without
# RUN, and a rootless build as uid 65534 (or its message saying what is
# missing). Prints the cold and cached times of a 10-step build (not
# asserted).
# Usage: test_build.sh DOCKWRIGHT MAKE_BUSYBOX_ROOTFS
# Exits 77 (skip) without root, busybox-static or namespaces/overlayfs.
set -u
dw=${1:?usage: test_build.sh DOCKWRIGHT MAKE_BUSYBOX_ROOTFS}
mkroot=${2:?usage: test_build.sh DOCKWRIGHT MAKE_BUSYBOX_ROOTFS}
if [ "$(id -u)" != 0 ]; then echo "skip: needs root"; exit 77; fi
for tool in tar sha256sum; do
  command -v "$tool" >/dev/null || { echo "skip: $tool not found"; exit 77; }
done
tmp=$(mktemp -d "${TMPDIR:-/tmp}/dw-build-test.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
export TMPDIR=$tmp
unset CI SOURCE_DATE_EPOCH
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
count() { grep -cE -- "$1" <<<"$2"; }
sha() { sha256sum "$1" | cut -d' ' -f1; }
digest_of() { grep -oE '^built sha256:[0-9a-f]{64}' <<<"$1" | cut -d' ' -f2; }

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
for st in store store2; do
  out=$("$dw" image import --cache-dir "$tmp/$st" "$tmp/busybox.tar" 2>&1)
  check "import busybox into $st: $out" 0 $?
done
S=(--cache-dir "$tmp/store")

# ---- single stage ----
ctx=$tmp/ctx
mkdir -p "$ctx/sub"
printf 'hello\n' >"$ctx/a.txt"
printf 'nested\n' >"$ctx/sub/b.txt"
printf 'do not send\n' >"$ctx/secret.txt"
printf 'secret.txt\n' >"$ctx/.dockerignore"
cat >"$ctx/Dockerfile" <<'EOF'
FROM busybox
ENV FOO=bar
WORKDIR /app
COPY a.txt sub ./
RUN echo "foo=$FOO" && cat a.txt b.txt && echo made > made.txt && pwd
USER app
RUN id -u && touch /tmp/by-app
CMD ["sh", "-c", "cat /app/made.txt"]
EOF
out=$("$dw" build "${S[@]}" -t single:1 --output "oci:$tmp/oci1" --report "$tmp/r1.json" "$ctx" 2>&1)
rc=$?
if [ $rc != 0 ] && grep -qiE 'overlay|namespace|unshare|not permitted|unsupported' <<<"$out"; then
  echo "skip: containers cannot run here: $out"
  exit 77
fi
check "single-stage build: $out" 0 $rc
expect_out "progress lines" '^\[stage 1/1\] STEP 5/8: RUN echo' "$out"
expect_out "RUN output with the step prefix" '^\[stage 1/1\] STEP 5/8: foo=bar$' "$out"
expect_out "COPY of a file and a directory's contents" '^\[stage 1/1\] STEP 5/8: nested$' "$out"
expect_out "WORKDIR is RUN's directory" '^\[stage 1/1\] STEP 5/8: /app$' "$out"
expect_out "USER applies to RUN" '^\[stage 1/1\] STEP 7/8: 1000$' "$out"
expect_out "report table" 'efficiency' "$out"
d1=$(digest_of "$out")
[ -n "$d1" ] || { echo "FAIL: no digest printed"; fail=1; }
# The config, read back from the exported layout.
[ -f "$tmp/oci1/index.json" ] || { echo "FAIL: --output oci:DIR wrote no index.json"; fail=1; }
man=$(grep -oE 'sha256:[0-9a-f]{64}' "$tmp/oci1/index.json" | head -1)
check "exported manifest is the built one ($man vs $d1)" "$d1" "$man"
cfgd=$(grep -oE '"config":\{[^}]*' "$tmp/oci1/blobs/sha256/${man#sha256:}" |
  grep -oE 'sha256:[0-9a-f]{64}')
config=$(cat "$tmp/oci1/blobs/sha256/${cfgd#sha256:}" 2>/dev/null)
expect_out "ENV in the config" '"FOO=bar"' "$config"
expect_out "WORKDIR in the config" '"WorkingDir":"/app"' "$config"
expect_out "USER in the config" '"User":"app"' "$config"
expect_out "CMD in the config" '"Cmd":\["sh","-c","cat /app/made.txt"\]' "$config"
expect_out "history" 'RUN /bin/sh -c echo' "$config"
# The layout imports back with the same digest.
out=$("$dw" image import --cache-dir "$tmp/readback" "$tmp/oci1" readback:1 2>&1)
check "import of --output oci:DIR: $out" 0 $?
expect_out "read back with the same digest" "$d1" "$out"
expect_out "report JSON" '"version": 1' "$(cat "$tmp/r1.json" 2>/dev/null)"
# docker-archive output, without -t, loads back.
out=$("$dw" build "${S[@]}" --output "docker-archive:$tmp/d.tar" "$ctx" 2>&1)
check "docker-archive output: $out" 0 $?
out=$("$dw" image import --cache-dir "$tmp/readback2" "$tmp/d.tar" 2>&1)
check "import of --output docker-archive: $out" 0 $?
expect_out "its name" 'imported dockwright-build:latest' "$out"
out=$("$dw" image ls "${S[@]}" 2>&1)
lacks_out "no temporary name left" 'dockwright-build-' "$out"
# .dockerignore: the ignored file cannot be copied.
cat >"$tmp/Dockerfile.ign" <<'EOF'
FROM busybox
COPY secret.txt /
EOF
out=$("$dw" build "${S[@]}" -f "$tmp/Dockerfile.ign" "$ctx" 2>&1)
check "COPY of an ignored file fails" 2 $?
expect_out "ignored file message" 'secret.txt' "$out"

# ---- cache: everything cached, then a change from the COPY on ----
out=$("$dw" build "${S[@]}" -t single:1 "$ctx" 2>&1)
check "cached rebuild: $out" 0 $?
check "every step CACHED" 8 "$(count ': CACHED$' "$out")"
lacks_out "no step runs" ': DONE ' "$out"
check "cached rebuild has the same digest" "$d1" "$(digest_of "$out")"
printf 'changed\n' >"$ctx/a.txt"
out=$("$dw" build "${S[@]}" -t single:2 "$ctx" 2>&1)
check "rebuild after a change: $out" 0 $?
for k in 1 2 3; do expect_out "step $k cached" "STEP $k/8: CACHED$" "$out"; done
for k in 4 5 6 7 8; do expect_out "step $k runs" "STEP $k/8: DONE " "$out"; done
expect_out "new content" 'STEP 5/8: changed$' "$out"
# --no-cache runs every step.
out=$("$dw" build "${S[@]}" --no-cache "$ctx" 2>&1)
check "--no-cache build" 0 $?
lacks_out "--no-cache uses no cache" ': CACHED$' "$(grep -v 'STEP 1/' <<<"$out")"
# CI=true: no progress lines, RUN output stays.
out=$(CI=true "$dw" build "${S[@]}" --no-cache "$ctx" 2>&1)
check "CI build" 0 $?
lacks_out "CI=true is quiet" 'STEP [0-9]+/8: (DONE|CACHED|RUN)' "$out"

# ---- reproducible: two stores, --no-cache ----
a=$("$dw" build --cache-dir "$tmp/store" --no-cache "$ctx" 2>&1)
b=$("$dw" build --cache-dir "$tmp/store2" --no-cache "$ctx" 2>&1)
da=$(digest_of "$a")
db=$(digest_of "$b")
[ -n "$da" ] || { echo "FAIL: reproducible build 1: $a"; fail=1; }
check "same digest from two stores" "$da" "$db"

# ---- multi-stage, --target, build args ----
mctx=$tmp/mctx
mkdir -p "$mctx"
cat >"$mctx/Dockerfile" <<'EOF'
ARG GREETING=hi
FROM busybox AS builder
ARG GREETING
ARG WHO=world
RUN mkdir /out && echo "$GREETING $WHO" > /out/msg
FROM busybox AS unused
RUN echo should-not-run
FROM scratch AS final
COPY --from=builder /out/msg /msg
COPY --from=busybox /bin/busybox /bin/busybox
FROM final AS debug
COPY --from=builder /out /dbg/
EOF
out=$("$dw" build "${S[@]}" --target final --build-arg WHO=there -t multi:1 \
  --output "oci:$tmp/oci2" "$mctx" 2>&1)
check "multi-stage build: $out" 0 $?
lacks_out "unused stage skipped" 'should-not-run' "$out"
lacks_out "stage after the target skipped" 'COPY --from=builder /out /dbg/' "$out"
expect_out "two stages planned" '^\[stage 2/2\]' "$out"
man=$(grep -oE 'sha256:[0-9a-f]{64}' "$tmp/oci2/index.json" | head -1)
layer_found=0
for blob in "$tmp/oci2/blobs/sha256/"*; do
  if tar -xzOf "$blob" msg 2>/dev/null | grep -qx 'hi there'; then layer_found=1; fi
done
check "the build arg reached the copied file" 1 $layer_found
cfgd=$(grep -oE '"config":\{[^}]*' "$tmp/oci2/blobs/sha256/${man#sha256:}" |
  grep -oE 'sha256:[0-9a-f]{64}')
check "scratch stage has two layers" 2 \
  "$(grep -oE '"diff_ids":\[[^]]*' "$tmp/oci2/blobs/sha256/${cfgd#sha256:}" | grep -oE 'sha256:' | wc -l)"
out=$("$dw" build "${S[@]}" --target nope "$mctx" 2>&1)
check "unknown target" 2 $?
expect_out "unknown target message" "target stage 'nope' could not be found" "$out"

# ---- a failing RUN ----
fctx=$tmp/fctx
mkdir -p "$fctx"
printf 'FROM busybox\nRUN echo before\nRUN echo failing; exit 3\nRUN echo after\n' >"$fctx/Dockerfile"
out=$("$dw" build "${S[@]}" -t single:1 "$fctx" 2>&1)
check "failing RUN exits 2" 2 $?
expect_out "the exit code in the message" 'Dockerfile:3:1: process .* did not complete successfully: exit code: 3' "$out"
lacks_out "the build stops" 'STEP 4/4' "$out"
out=$("$dw" image ls "${S[@]}" 2>&1)
check "store usable after a failed build" 0 $?
expect_out "the tag still names the previous image" "single:1 +${d1:0:19}" "$out"
left=$(ls "$tmp/store/tmp" 2>/dev/null | grep -c build-)
check "no scratch directories left" 0 "$left"

# ---- heredocs and RUN --mount ----
hctx=$tmp/hctx
mkdir -p "$hctx/data"
printf 'bound\n' >"$hctx/data/in.txt"
printf 'not sent\n' >"$hctx/data/ignored.txt"
printf 'data/ignored.txt\n' >"$hctx/.dockerignore"
printf 's3cr3t\n' >"$tmp/secret.txt"
cat >"$hctx/Dockerfile" <<'EOF'
FROM busybox
ARG NAME=heredoc
COPY <<EOT /greeting.txt
hello $NAME
EOT
RUN <<EOT
echo "from heredoc"
cat /greeting.txt
EOT
RUN --mount=type=secret,id=tok cat /run/secrets/tok && echo x > /kept
RUN --mount=type=bind,source=data,target=/mnt cat /mnt/in.txt && ls /mnt
RUN --mount=type=cache,target=/cache echo run >> /cache/log && wc -l < /cache/log
RUN --mount=type=tmpfs,target=/scratch touch /scratch/t && ls /scratch
EOF
out=$("$dw" build "${S[@]}" --secret id=tok,src="$tmp/secret.txt" -t here:1 \
  --output "oci-archive:$tmp/here.tar" "$hctx" 2>&1)
check "heredoc and mount build: $out" 0 $?
expect_out "RUN heredoc" 'STEP 4/8: from heredoc$' "$out"
expect_out "COPY heredoc expanded" 'STEP 4/8: hello heredoc$' "$out"
expect_out "secret mount" 'STEP 5/8: s3cr3t$' "$out"
expect_out "bind mount from the context" 'STEP 6/8: bound$' "$out"
expect_out "the mount shows what is sent" 'STEP 6/8: in.txt$' "$out"
if printf '%s\n' "$out" | grep -q 'STEP 6/8: ignored.txt$'; then
  echo "FAIL: a context bind mount shows a file the .dockerignore excludes"; fail=1
fi
expect_out "cache mount" 'STEP 7/8: 1$' "$out"
expect_out "tmpfs mount" 'STEP 8/8: t$' "$out"
[ -s "$tmp/here.tar" ] || { echo "FAIL: --output oci-archive wrote nothing"; fail=1; }
secret_in_layer=0
for blob in "$tmp/store/blobs/sha256/"*; do
  if tar -xzOf "$blob" 2>/dev/null | grep -q s3cr3t; then secret_in_layer=1; fi
done
check "the secret is in no layer" 0 $secret_in_layer
# A changed bound file changes the key; the cache mount persists.
printf 'bound2\n' >"$hctx/data/in.txt"
out=$("$dw" build "${S[@]}" --secret id=tok,src="$tmp/secret.txt" "$hctx" 2>&1)
check "rebuild with mounts" 0 $?
expect_out "secret step cached" 'STEP 5/8: CACHED$' "$out"
expect_out "bind content in the key" 'STEP 6/8: bound2$' "$out"
expect_out "the cache mount kept its content" 'STEP 7/8: 2$' "$out"
out=$("$dw" build "${S[@]}" --secret id=tok "$hctx" 2>&1)
check "--secret without src" 2 $?

# ---- errors ----
printf 'FROM nosuchimage\nRUN true\n' >"$tmp/Dockerfile.nobase"
out=$("$dw" build "${S[@]}" -f "$tmp/Dockerfile.nobase" "$ctx" 2>&1)
check "missing base image" 2 $?
expect_out "missing base message" "Dockerfile.nobase:1:1: image 'nosuchimage' is not in the store" "$out"
out=$("$dw" build "${S[@]}" "$tmp/nodir" 2>&1)
check "missing context" 2 $?
out=$("$dw" build "${S[@]}" --output bogus "$ctx" 2>&1)
check "bad --output" 2 $?

# ---- concurrent builds on one cache dir ----
# Three builds share the store and the base's extracted layer at once; all
# succeed, the cache they wrote serves every rebuild, and gc afterwards
# keeps what the tags need.
for i in 1 2 3; do
  mkdir -p "$tmp/cc$i"
  printf 'c%s\n' "$i" >"$tmp/cc$i/a.txt"
  printf 'FROM busybox\nRUN echo run-%s > /f\nCOPY a.txt /\nRUN cat /f /a.txt\n' "$i" \
    >"$tmp/cc$i/Dockerfile"
done
for i in 1 2 3; do
  "$dw" build --cache-dir "$tmp/store2" -q -t "cc:$i" "$tmp/cc$i" >"$tmp/cc$i.out" 2>&1 &
  eval "pid$i=\$!"
done
for i in 1 2 3; do
  eval "wait \$pid$i"
  check "concurrent build $i: $(cat "$tmp/cc$i.out")" 0 $?
  expect_out "concurrent build $i output" "c$i\$" "$(cat "$tmp/cc$i.out")"
done
out=$("$dw" cache prune --cache-dir "$tmp/store2" 2>&1)
check "prune after concurrent builds: $out" 0 $?
for i in 1 2 3; do
  out=$("$dw" build --cache-dir "$tmp/store2" -t "cc:$i" "$tmp/cc$i" 2>&1)
  check "rebuild $i after concurrent builds: $out" 0 $?
  check "rebuild $i fully cached" 4 "$(count ': CACHED$' "$out")"
done

# ---- --platform: the target platform of stages without RUN ----
pl=$tmp/plat
mkdir -p "$pl"
printf 'x\n' >"$pl/x"
printf 'FROM scratch\nARG TARGETARCH\nENV ARCH=$TARGETARCH\nCOPY x /\n' >"$pl/Dockerfile"
out=$("$dw" build "${S[@]}" --platform linux/arm64 --output "oci:$tmp/ociarm" "$pl" 2>&1)
check "--platform linux/arm64: $out" 0 $?
armcfg=$(grep -ho '"architecture":"[a-z0-9]*"' "$tmp/ociarm/blobs/sha256/"* 2>/dev/null | sort -u)
expect_out "image architecture" '"architecture":"arm64"' "$armcfg"
expect_out "TARGETARCH" 'ARCH=arm64' "$(cat "$tmp/ociarm/blobs/sha256/"* 2>/dev/null | tr -d '\0')"
out=$("$dw" build "${S[@]}" --platform 'linux//' "$pl" 2>&1)
check "bad --platform" 2 $?
expect_out "bad --platform message" "invalid --platform 'linux//'" "$out"

# ---- rootless: a non-root user builds, or is told what is missing ----
if command -v setpriv >/dev/null; then
  rl=$tmp/rootless
  mkdir -p "$rl/ctx"
  cp "$tmp/busybox.tar" "$rl/"
  # A copy the user can reach: the build tree may sit below a directory
  # only root may enter (a clone in a mktemp -d folder is 0700).
  cp "$dw" "$rl/dockwright"
  printf 'FROM busybox\nRUN echo made > /m && id -u\n' >"$rl/ctx/Dockerfile"
  chmod 755 "$tmp"
  chmod -R a+rwX "$rl"
  asuser() { setpriv --reuid=65534 --regid=65534 --clear-groups env HOME="$rl" "$@"; }
  out=$(asuser "$rl/dockwright" image import --cache-dir "$rl/store" "$rl/busybox.tar" 2>&1)
  check "rootless import: $out" 0 $?
  out=$(asuser "$rl/dockwright" build --cache-dir "$rl/store" "$rl/ctx" 2>&1)
  rc=$?
  if [ $rc = 0 ]; then
    expect_out "rootless RUN runs as root of its namespace" 'STEP 2/2: 0$' "$out"
  else
    check "rootless build fails as an error" 2 $rc
    expect_out "rootless failure says what is missing" \
      'user namespace|overlay|uid|rootless|namespaces' "$out"
  fi
fi

# ---- timing of a 10-step build (reported, not asserted) ----
pctx=$tmp/pctx
mkdir -p "$pctx"
printf 'data\n' >"$pctx/f"
{
  echo 'FROM busybox'
  echo 'ENV A=1'
  echo 'WORKDIR /w'
  echo 'COPY f .'
  for i in 1 2 3 4 5; do echo "RUN echo step$i > s$i"; done
  echo 'CMD ["sh"]'
} >"$pctx/Dockerfile"
"$dw" image import --cache-dir "$tmp/perf" "$tmp/busybox.tar" >/dev/null 2>&1
t0=$(date +%s.%N)
out=$("$dw" build --cache-dir "$tmp/perf" "$pctx" 2>&1)
rc=$?
t1=$(date +%s.%N)
check "perf cold build: $out" 0 $rc
out=$("$dw" build --cache-dir "$tmp/perf" "$pctx" 2>&1)
t2=$(date +%s.%N)
check "perf cached build" 10 "$(count ': CACHED$' "$out")"
awk -v a="$t0" -v b="$t1" -v c="$t2" \
  'BEGIN { printf "perf: 10-step busybox build: cold %.2fs, cached %.2fs\n", b - a, c - b }'

if [ $fail = 0 ]; then echo "ok"; fi
exit $fail
