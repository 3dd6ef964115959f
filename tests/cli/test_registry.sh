#!/usr/bin/env bash
# The registry client against Debian's docker-registry (distribution 2.8)
# on 127.0.0.1 at a free port, storage in a temporary directory: a busybox
# image (make_busybox_rootfs.sh, imported as a docker-archive) is pushed
# (monolithic, in PATCH chunks, mounted across repositories), read back by
# `skopeo inspect`, pulled into fresh stores with the same digest, used by
# `dockwright build` as a FROM that the store lacks (root only), and the
# build pushed with --output registry:REF. A second registry with htpasswd
# basic auth checks credentials from REGISTRY_AUTH_FILE and DOCKER_CONFIG.
# Both registries are stopped on every exit.
# Usage: test_registry.sh DOCKWRIGHT MAKE_BUSYBOX_ROOTFS
# Exits 77 (skip) without docker-registry, skopeo, python3 or busybox-static.
set -u
dw=${1:?usage: test_registry.sh DOCKWRIGHT MAKE_BUSYBOX_ROOTFS}
mkroot=${2:?usage: test_registry.sh DOCKWRIGHT MAKE_BUSYBOX_ROOTFS}
for tool in docker-registry skopeo python3 tar sha256sum base64; do
  command -v "$tool" >/dev/null || { echo "skip: $tool not found"; exit 77; }
done
tmp=$(mktemp -d "${TMPDIR:-/tmp}/dw-registry-test.XXXXXX") || exit 1
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
export TMPDIR=$tmp HOME=$tmp/home
mkdir -p "$HOME"
unset CI SOURCE_DATE_EPOCH REGISTRY_AUTH_FILE DOCKER_CONFIG DOCKWRIGHT_INSECURE_REGISTRIES \
  DOCKWRIGHT_PUSH_CHUNK_SIZE
fail=0
check() { # description, expected rc, actual rc
  if [ "$2" != "$3" ]; then echo "FAIL: $1 (exit $3, want $2)"; fail=1; fi
}
expect_out() { # description, pattern, text
  if ! grep -qE -- "$2" <<<"$3"; then echo "FAIL: $1: output lacks /$2/:"; echo "$3"; fail=1; fi
}
same() { # description, want, got
  if [ "$2" != "$3" ]; then echo "FAIL: $1: '$3', want '$2'"; fail=1; fi
}
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
# start_registry NAME [AUTH-YAML]: sets port; the registry's log is $tmp/NAME.log
start_registry() {
  local name=$1 auth=${2:-} tries
  for tries in 1 2 3; do
    port=$(free_port)
    mkdir -p "$tmp/$name-data"
    cat >"$tmp/$name.yml" <<EOF
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $tmp/$name-data
  delete:
    enabled: true
http:
  addr: 127.0.0.1:$port
$auth
EOF
    docker-registry serve "$tmp/$name.yml" >"$tmp/$name.log" 2>&1 &
    pids+=($!)
    local i
    for i in $(seq 1 50); do
      if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then return 0; fi
      kill -0 "${pids[-1]}" 2>/dev/null || break
      sleep 0.1
    done
  done
  echo "FAIL: docker-registry $name did not start:"; cat "$tmp/$name.log"
  exit 1
}
digest_line() { grep -oE "^$1 .* \(sha256:[0-9a-f]{64}\)" <<<"$2" | grep -oE 'sha256:[0-9a-f]{64}'; }
skopeo_digest() {
  skopeo inspect --tls-verify=false "docker://$1" 2>&1 |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["Digest"])' 2>/dev/null
}

# ---- a busybox image in store s1 ----
sh "$mkroot" "$tmp/rootfs"
rc=$?
if [ $rc = 77 ]; then echo "skip: busybox-static is not installed"; exit 77; fi
check "make_busybox_rootfs" 0 $rc
mkdir "$tmp/arch"
tar --sort=name --numeric-owner --mtime=@0 -cf "$tmp/layer.tar" -C "$tmp/rootfs" .
diff=$(sha256sum "$tmp/layer.tar" | cut -d' ' -f1)
mv "$tmp/layer.tar" "$tmp/arch/$diff.tar"
cat >"$tmp/cfg.json" <<EOF
{"architecture":"amd64","os":"linux","config":{"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],"Cmd":["sh"]},"rootfs":{"type":"layers","diff_ids":["sha256:$diff"]},"history":[{"created_by":"busybox rootfs"}]}
EOF
cfg=$(sha256sum "$tmp/cfg.json" | cut -d' ' -f1)
mv "$tmp/cfg.json" "$tmp/arch/$cfg.json"
printf '[{"Config":"%s.json","RepoTags":["busybox:latest"],"Layers":["%s.tar"]}]' "$cfg" "$diff" \
  >"$tmp/arch/manifest.json"
tar -cf "$tmp/busybox.tar" -C "$tmp/arch" .
out=$("$dw" image import --cache-dir "$tmp/s1" "$tmp/busybox.tar" 2>&1)
check "import busybox: $out" 0 $?
local_digest=$(grep -oE 'sha256:[0-9a-f]{64}' <<<"$out")

start_registry plain
R=127.0.0.1:$port

# ---- push, skopeo, pull ----
out=$("$dw" image push --cache-dir "$tmp/s1" busybox "$R/test/busybox:1" 2>&1)
check "push: $out" 0 $?
same "pushed digest" "$local_digest" "$(digest_line pushed "$out")"
same "skopeo reads the pushed image" "$local_digest" "$(skopeo_digest "$R/test/busybox:1")"
out=$("$dw" image pull --cache-dir "$tmp/s2" "$R/test/busybox:1" 2>&1)
check "pull: $out" 0 $?
same "pulled digest" "$local_digest" "$(digest_line pulled "$out")"
expect_out "pull fetched both blobs" "fetched .*296 bytes" "$out"
out=$("$dw" image ls --cache-dir "$tmp/s2" --format json 2>&1)
expect_out "pulled image named" "\"name\": \"$R/test/busybox:1\"" "$out"
expect_out "pulled image digest" "$local_digest" "$out"
# A second pull downloads nothing.
out=$("$dw" image pull --cache-dir "$tmp/s2" "$R/test/busybox:1" 2>&1)
check "pull again: $out" 0 $?
if grep -q fetched <<<"$out"; then echo "FAIL: a second pull downloaded blobs: $out"; fail=1; fi
# by digest
out=$("$dw" image pull --cache-dir "$tmp/s3" "$R/test/busybox@$local_digest" 2>&1)
check "pull by digest: $out" 0 $?

# ---- cross-repository mount, chunked upload ----
out=$("$dw" image push --cache-dir "$tmp/s2" "$R/test/busybox:1" "$R/other/bb:2" 2>&1)
check "push with mount: $out" 0 $?
expect_out "blobs mounted" "mounted .* from test/busybox" "$out"
same "skopeo reads the mounted image" "$local_digest" "$(skopeo_digest "$R/other/bb:2")"
out=$(DOCKWRIGHT_PUSH_CHUNK_SIZE=300000 "$dw" image push --cache-dir "$tmp/s1" busybox:latest \
  "$R/chunked/bb" 2>&1)
check "chunked push: $out" 0 $?
expect_out "layer sent in chunks" "bytes, chunked\)" "$out"
same "skopeo reads the chunked image" "$local_digest" "$(skopeo_digest "$R/chunked/bb:latest")"
out=$("$dw" image pull --cache-dir "$tmp/s4" "$R/chunked/bb" 2>&1)
check "pull chunked: $out" 0 $?
same "pulled chunked digest" "$local_digest" "$(digest_line pulled "$out")"

# ---- errors ----
out=$("$dw" image pull --cache-dir "$tmp/s4" "$R/nosuch/image:1" 2>&1)
check "pull unknown image" 2 $?
expect_out "unknown image message" "not found: .*404 MANIFEST_UNKNOWN" "$out"
out=$("$dw" image pull --cache-dir "$tmp/s4" "$R/Upper/case" 2>&1)
check "pull bad reference" 2 $?
expect_out "bad reference message" "repository name must be lowercase" "$out"
out=$("$dw" image push --cache-dir "$tmp/s4" nosuch:1 "$R/x/y:1" 2>&1)
check "push missing image" 2 $?
expect_out "push missing message" "image 'nosuch:1' is not in the store" "$out"
out=$("$dw" image pull --cache-dir "$tmp/s4" --output oci:x "$R/x/y:1" 2>&1)
check "pull with export option" 2 $?
# a host that is neither local nor listed insecure gets HTTPS only
out=$("$dw" image pull --cache-dir "$tmp/s4" "localhost.localdomain:$port/test/busybox:1" 2>&1)
if [ $? = 0 ]; then
  echo "FAIL: plain HTTP to a host not listed insecure: $out"; fail=1
fi
out=$(DOCKWRIGHT_INSECURE_REGISTRIES="example.invalid, localhost.localdomain" \
  "$dw" image pull --cache-dir "$tmp/s4" "localhost.localdomain:$port/test/busybox:1" 2>&1)
rc=$?
if getent hosts localhost.localdomain >/dev/null; then
  check "pull from a listed insecure host: $out" 0 $rc
fi

# ---- build FROM an image the store lacks, push with --output registry: ----
if [ "$(id -u)" = 0 ]; then
  mkdir -p "$tmp/ctx"
  printf 'FROM %s/test/busybox:1\nRUN echo hi >/hi\nCOPY --from=%s/chunked/bb /bin/busybox /bb2\n' \
    "$R" "$R" >"$tmp/ctx/Dockerfile"
  out=$("$dw" build --cache-dir "$tmp/s5" "$tmp/ctx" --output "registry:$R/built/img:1" 2>&1)
  rc=$?
  if [ $rc = 2 ] && grep -qE "namespace|overlay|unprivileged" <<<"$out"; then
    echo "note: RUN cannot run here; build part skipped"
  else
    check "build FROM a registry image: $out" 0 $rc
    expect_out "base pulled" "pulled $R/test/busybox:1 \\($local_digest\\)" "$out"
    built=$(grep -oE '^built sha256:[0-9a-f]{64}' <<<"$out" | cut -d' ' -f2)
    same "pushed build digest" "$built" "$(digest_line pushed "$out")"
    same "skopeo reads the built image" "$built" "$(skopeo_digest "$R/built/img:1")"
    out=$("$dw" image pull --cache-dir "$tmp/s6" "$R/built/img:1" 2>&1)
    check "pull the built image: $out" 0 $?
    same "pulled build digest" "$built" "$(digest_line pulled "$out")"
    # --pull never: the store lacks the base, the build fails at the FROM
    out=$("$dw" build --cache-dir "$tmp/s7" --pull never "$tmp/ctx" 2>&1)
    check "build --pull never" 2 $?
    expect_out "--pull never message" "Dockerfile:1:1: image '$R/test/busybox:1' is not in the store" "$out"
    out=$("$dw" build --cache-dir "$tmp/s7" --pull sometimes "$tmp/ctx" 2>&1)
    check "build --pull bad value" 2 $?
    out=$("$dw" build --cache-dir "$tmp/s7" "$tmp/ctx" --output registry:Bad/Ref 2>&1)
    check "build --output registry: bad reference" 2 $?
  fi
else
  echo "note: not root; the build part is skipped"
fi

# ---- basic auth ----
hash=""
if command -v htpasswd >/dev/null; then
  hash=$(htpasswd -nbB alice 's3cr:et' | head -1)
else
  hash=$(python3 -W ignore -c 'import crypt; print("alice:" + crypt.crypt("s3cr:et", crypt.mksalt(crypt.METHOD_BLOWFISH)))' 2>/dev/null)
fi
if [[ $hash == alice:\$2* ]]; then
  printf '%s\n' "$hash" >"$tmp/htpasswd"
  start_registry auth "auth:
  htpasswd:
    realm: dw-test
    path: $tmp/htpasswd"
  A=127.0.0.1:$port
  out=$("$dw" image push --cache-dir "$tmp/s1" busybox "$A/sec/bb:1" 2>&1)
  check "push without credentials" 2 $?
  expect_out "no credentials message" "asks for a user and password" "$out"
  printf '{"auths":{"%s":{"auth":"%s"}}}' "$A" "$(printf 'alice:s3cr:et' | base64)" \
    >"$tmp/auth.json"
  out=$(REGISTRY_AUTH_FILE=$tmp/auth.json "$dw" image push --cache-dir "$tmp/s1" busybox \
    "$A/sec/bb:1" 2>&1)
  check "push with REGISTRY_AUTH_FILE: $out" 0 $?
  mkdir -p "$tmp/dockercfg"
  printf '{"auths":{"http://%s/v1/":{"username":"alice","password":"s3cr:et"}}}' "$A" \
    >"$tmp/dockercfg/config.json"
  out=$(DOCKER_CONFIG=$tmp/dockercfg "$dw" image pull --cache-dir "$tmp/s8" "$A/sec/bb:1" 2>&1)
  check "pull with DOCKER_CONFIG: $out" 0 $?
  same "pulled with auth digest" "$local_digest" "$(digest_line pulled "$out")"
  printf '{"auths":{"%s":{"auth":"%s"}}}' "$A" "$(printf 'alice:wrong' | base64)" \
    >"$tmp/bad.json"
  out=$(REGISTRY_AUTH_FILE=$tmp/bad.json "$dw" image pull --cache-dir "$tmp/s9" "$A/sec/bb:1" 2>&1)
  check "pull with wrong credentials" 2 $?
  expect_out "refused credentials message" "401 UNAUTHORIZED.*refused the credentials" "$out"
  printf '{"auths":' >"$tmp/broken.json"
  out=$(REGISTRY_AUTH_FILE=$tmp/broken.json "$dw" image pull --cache-dir "$tmp/s9" "$A/sec/bb:1" 2>&1)
  check "pull with a broken auth file" 2 $?
  expect_out "broken auth file message" "broken.json:1:" "$out"
else
  echo "note: no bcrypt (htpasswd or python3 crypt); the basic-auth part is skipped"
fi

if [ $fail = 0 ]; then echo "ok"; fi
exit $fail
