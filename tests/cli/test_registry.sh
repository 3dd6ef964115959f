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

# ---- a multi-platform image: the index and both manifests pushed, each
# platform pulled by --platform ----
python3 - "$tmp/multi" "$tmp/arch/$diff.tar" <<'PY'
import hashlib, json, os, shutil, sys
out, layer = sys.argv[1], sys.argv[2]
os.makedirs(out + "/blobs/sha256")
def blob(data):
    d = hashlib.sha256(data).hexdigest()
    open(out + "/blobs/sha256/" + d, "wb").write(data)
    return {"digest": "sha256:" + d, "size": len(data)}
ldata = open(layer, "rb").read()
l = dict(blob(ldata), mediaType="application/vnd.oci.image.layer.v1.tar")
diff = "sha256:" + hashlib.sha256(ldata).hexdigest()
ms = []
for arch, variant in (("amd64", None), ("arm64", "v8")):
    cfg = {"architecture": arch, "os": "linux", "rootfs": {"type": "layers", "diff_ids": [diff]}}
    if variant: cfg["variant"] = variant
    c = dict(blob(json.dumps(cfg).encode()), mediaType="application/vnd.oci.image.config.v1+json")
    m = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
         "config": c, "layers": [l]}
    d = dict(blob(json.dumps(m).encode()), mediaType=m["mediaType"])
    d["platform"] = {"architecture": arch, "os": "linux"}
    if variant: d["platform"]["variant"] = variant
    ms.append(d)
    open(out + "/" + arch, "w").write(d["digest"])
ix = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json", "manifests": ms}
d = dict(blob(json.dumps(ix).encode()), mediaType=ix["mediaType"])
open(out + "/index-digest", "w").write(d["digest"])
d["annotations"] = {"org.opencontainers.image.ref.name": "multi:1"}
json.dump({"schemaVersion": 2, "manifests": [d]}, open(out + "/index.json", "w"))
open(out + "/oci-layout", "w").write('{"imageLayoutVersion":"1.0.0"}')
PY
check "multi-platform layout" 0 $?
out=$("$dw" image import --cache-dir "$tmp/s1" "$tmp/multi" 2>&1)
check "import multi-platform: $out" 0 $?
out=$("$dw" image push --cache-dir "$tmp/s1" multi:1 "$R/multi/img:1" 2>&1)
check "push multi-platform: $out" 0 $?
same "pushed index digest" "$(cat "$tmp/multi/index-digest")" "$(digest_line pushed "$out")"
raw=$(skopeo inspect --raw --tls-verify=false "docker://$R/multi/img:1" 2>&1)
expect_out "skopeo reads the index" "application/vnd.oci.image.index.v1\+json" "$raw"
out=$("$dw" image pull --cache-dir "$tmp/s10" --platform linux/arm64 "$R/multi/img:1" 2>&1)
check "pull linux/arm64: $out" 0 $?
same "arm64 manifest pulled" "$(cat "$tmp/multi/arm64")" "$(digest_line pulled "$out")"
out=$("$dw" image pull --cache-dir "$tmp/s10" --platform linux/amd64 "$R/multi/img:1" 2>&1)
check "pull linux/amd64: $out" 0 $?
same "amd64 manifest pulled" "$(cat "$tmp/multi/amd64")" "$(digest_line pulled "$out")"
out=$("$dw" image pull --cache-dir "$tmp/s10" --platform linux/s390x "$R/multi/img:1" 2>&1)
check "pull a platform the index lacks" 2 $?
expect_out "missing platform message" "has no manifest for linux/s390x" "$out"
out=$("$dw" image pull --cache-dir "$tmp/s10" --platform arm64 "$R/multi/img:1" 2>&1)
check "pull --platform without an OS" 2 $?
expect_out "bad --platform message" "invalid --platform 'arm64'" "$out"

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
  if [ $rc != 0 ] && grep -qiE 'overlay|namespace|unshare|not permitted|unsupported' <<<"$out"; then
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
    # FROM --platform pulls that platform's manifest from an index
    mkdir -p "$tmp/ctx-arm"
    printf 'FROM --platform=linux/arm64 %s/multi/img:1\nLABEL a=b\n' "$R" >"$tmp/ctx-arm/Dockerfile"
    out=$("$dw" build --cache-dir "$tmp/s14" "$tmp/ctx-arm" 2>&1)
    check "build FROM --platform=linux/arm64: $out" 0 $?
    same "arm64 base pulled for the build" "$(cat "$tmp/multi/arm64")" "$(digest_line pulled "$out")"
    out=$("$dw" build --cache-dir "$tmp/s7" --pull sometimes "$tmp/ctx" 2>&1)
    check "build --pull bad value" 2 $?
    out=$("$dw" build --cache-dir "$tmp/s7" "$tmp/ctx" --output registry:Bad/Ref 2>&1)
    check "build --output registry: bad reference" 2 $?
  fi
else
  echo "note: not root; the build part is skipped"
fi

# ---- basic auth ----
# bcrypt at its lowest cost (4): the registry checks the password on every
# request, and the default cost makes that a quarter of a second each.
hash=""
if command -v htpasswd >/dev/null; then
  hash=$(htpasswd -nbB -C 4 alice 's3cr:et' | head -1)
else
  hash=$(python3 -W ignore -c 'import crypt; print("alice:" + crypt.crypt("s3cr:et", crypt.mksalt(crypt.METHOD_BLOWFISH, rounds=16)))' 2>/dev/null)
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

# ---- HTTPS: a registry with a self-signed certificate; 127.0.0.1 is
# local, so its certificate is not verified (as Docker does) ----
if command -v openssl >/dev/null &&
  openssl req -x509 -newkey rsa:2048 -nodes -keyout "$tmp/key.pem" -out "$tmp/cert.pem" -days 1 \
    -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 >/dev/null 2>&1; then
  start_registry tls "  tls:
    certificate: $tmp/cert.pem
    key: $tmp/key.pem"
  S=127.0.0.1:$port
  out=$("$dw" image push --cache-dir "$tmp/s1" busybox "$S/tls/bb:1" 2>&1)
  check "push over HTTPS: $out" 0 $?
  same "skopeo reads the HTTPS push" "$local_digest" "$(skopeo_digest "$S/tls/bb:1")"
  out=$("$dw" image pull --cache-dir "$tmp/s15" "$S/tls/bb:1" 2>&1)
  check "pull over HTTPS: $out" 0 $?
  same "HTTPS pull digest" "$local_digest" "$(digest_line pulled "$out")"
else
  echo "note: no openssl; the HTTPS part is skipped"
fi

# ---- Bearer tokens: a proxy in front of the plain registry that wants a
# token from its realm, given only to bob:pw ----
cat >"$tmp/tokproxy.py" <<'PY'
import base64, http.client, http.server, json, sys
upstream, log, mode = int(sys.argv[1]), sys.argv[2], sys.argv[3]
TOKEN = "tok-123"
class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *a): pass
    def reply(self, code, body=b"", headers=()):
        self.send_response(code)
        for k, v in headers: self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD": self.wfile.write(body)
    def any(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n) if n else b""
        auth = self.headers.get("Authorization")
        if self.path.startswith("/token"):
            open(log, "a").write(self.path + "\n")
            if auth != "Basic " + base64.b64encode(b"bob:pw").decode():
                return self.reply(401, b'{"errors":[{"code":"UNAUTHORIZED","message":"bad user"}]}')
            return self.reply(200, json.dumps({"access_token": TOKEN}).encode())
        # "bad" mode: no auth; repositories flip/* and long/* serve test/*
        # with the blobs' last byte changed or a byte added.
        damage = None
        if mode == "bad":
            for kind in ("flip", "long"):
                if self.path.startswith("/v2/%s/" % kind):
                    damage, self.path = kind, "/v2/test/" + self.path[len(kind) + 5:]
        elif auth != "Bearer " + TOKEN:
            realm = "http://%s/token" % self.headers.get("Host")
            return self.reply(401, b'{"errors":[{"code":"UNAUTHORIZED","message":"no token"}]}',
                [("WWW-Authenticate", 'Bearer realm="%s",service="mock reg"' % realm)])
        c = http.client.HTTPConnection("127.0.0.1", upstream)
        h = {k: v for k, v in self.headers.items()
             if k.lower() not in ("authorization", "host", "content-length")}
        c.request(self.command, self.path, body if self.command in ("PUT", "PATCH", "POST") else None, h)
        r = c.getresponse()
        data = r.read()
        if damage and "/blobs/" in self.path and r.status == 200 and len(data) > 1000:
            data = data[:-1] + bytes([data[-1] ^ 1]) if damage == "flip" else data + b"x"
        self.reply(r.status, data, [(k, v) for k, v in r.getheaders()
                   if k.lower() not in ("content-length", "transfer-encoding", "connection")])
    do_GET = do_HEAD = do_PUT = do_POST = do_PATCH = any
srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
print(srv.server_address[1], flush=True)
srv.serve_forever()
PY
python3 "$tmp/tokproxy.py" "${R#*:}" "$tmp/token.log" token >"$tmp/tokproxy.port" \
  2>"$tmp/tokproxy.err" &
pids+=($!)
python3 "$tmp/tokproxy.py" "${R#*:}" "$tmp/bad.log" bad >"$tmp/badproxy.port" \
  2>"$tmp/badproxy.err" &
pids+=($!)
for i in $(seq 1 100); do [ -s "$tmp/tokproxy.port" ] && [ -s "$tmp/badproxy.port" ] && break; sleep 0.1; done
if [ -s "$tmp/tokproxy.port" ]; then
  T=127.0.0.1:$(cat "$tmp/tokproxy.port")
  out=$("$dw" image pull --cache-dir "$tmp/s12" "$T/test/busybox:1" 2>&1)
  check "token pull without credentials" 2 $?
  expect_out "token refused message" "cannot get a token from http://$T/token: 401 UNAUTHORIZED: bad user" "$out"
  printf '{"auths":{"%s":{"auth":"%s"}}}' "$T" "$(printf 'bob:pw' | base64)" >"$tmp/tok.json"
  out=$(REGISTRY_AUTH_FILE=$tmp/tok.json "$dw" image pull --cache-dir "$tmp/s12" "$T/test/busybox:1" 2>&1)
  check "token pull: $out" 0 $?
  same "token pull digest" "$local_digest" "$(digest_line pulled "$out")"
  out=$(REGISTRY_AUTH_FILE=$tmp/tok.json "$dw" image push --cache-dir "$tmp/s12" "$T/test/busybox:1" \
    "$T/tokpush/bb:1" 2>&1)
  check "token push with mount: $out" 0 $?
  expect_out "token push mounted" "mounted .* from test/busybox" "$out"
  log=$(cat "$tmp/token.log")
  expect_out "pull scope asked" "scope=repository%3Atest%2Fbusybox%3Apull(&|$)" "$log"
  expect_out "push and mount scopes asked" "service=mock%20reg&scope=repository%3Atokpush%2Fbb%3Apull%2Cpush&scope=repository%3Atest%2Fbusybox%3Apull" "$log"
else
  echo "FAIL: the token proxy did not start:"; cat "$tmp/tokproxy.err"; fail=1
fi

# ---- a registry that serves damaged blobs: an error, and nothing of the
# blob left in the store ----
if [ -s "$tmp/badproxy.port" ]; then
  B=127.0.0.1:$(cat "$tmp/badproxy.port")
  for kind in flip long; do
    out=$("$dw" image pull --cache-dir "$tmp/s13-$kind" "$B/$kind/busybox:1" 2>&1)
    check "pull a damaged blob ($kind)" 2 $?
    if [ $kind = flip ]; then
      expect_out "digest mismatch message" "blob digest mismatch: expected sha256:$diff" "$out"
    else
      expect_out "oversized blob message" "blob sha256:$diff of long/busybox is larger than" "$out"
    fi
    if [ -e "$tmp/s13-$kind/blobs/sha256/$diff" ] || [ -n "$(ls -A "$tmp/s13-$kind/tmp")" ]; then
      echo "FAIL: a damaged blob ($kind) left something in the store"; fail=1
    fi
    out=$("$dw" image ls --cache-dir "$tmp/s13-$kind" 2>&1)
    if grep -q busybox <<<"$out"; then echo "FAIL: a damaged pull named an image: $out"; fail=1; fi
  done
else
  echo "FAIL: the damaging proxy did not start:"; cat "$tmp/badproxy.err"; fail=1
fi

if [ $fail = 0 ]; then echo "ok"; fi
exit $fail
