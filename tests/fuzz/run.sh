#!/usr/bin/env bash
# Runs every libFuzzer target of a fuzz build for SECONDS each (default 60),
# seeded from the project's own inputs, and turns a crash into a non-zero
# exit. Build first: cmake --preset fuzz && cmake --build --preset fuzz
#   tests/fuzz/run.sh build/fuzz [SECONDS] [TARGET...]
set -u
build=${1:?usage: run.sh BUILD_DIR [SECONDS] [TARGET...]}
secs=${2:-60}
shift $(( $# >= 2 ? 2 : 1 ))
root=$(cd "$(dirname "$0")/../.." && pwd)
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=($(cd "$build/tests/fuzz" && ls fuzz_* 2>/dev/null))
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
seed() { # target -> seed directory
  local d=$work/seed-$1
  mkdir -p "$d"
  case $1 in
    fuzz_grammar|fuzz_shell|fuzz_expand|fuzz_lint)
      find "$root/grammar/test/buildkit" "$root/corpus" -type f -name '*Dockerfile*' -exec cp {} "$d" \; 2>/dev/null ;;
    fuzz_tsgen)
      find "$root/grammar/generator/tests/grammars" -name grammar.json -size -4k | while read -r f; do
        cp "$f" "$d/$(basename "$(dirname "$f")").json"; done ;;
    fuzz_dockerignore)
      printf 'node_modules\n**/*.log\n!keep.log\n/build/\n' > "$d/a" ;;
    fuzz_registry_ref)
      printf 'alpine:3.20' > "$d/a"
      printf 'localhost:5000/a/b:1@sha256:%064d' 0 > "$d/b" ;;
    fuzz_registry_auth)
      printf 'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/alpine:pull"' > "$d/a"
      printf '{"auths":{"x.io":{"auth":"dTpw"}}}' > "$d/b"
      printf '{"schemaVersion":2,"manifests":[]}' > "$d/c" ;;
    fuzz_oci)
      z=$(printf '%064d' 0)
      printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":7},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:%s","size":32,"annotations":{"a":"b"}}]}' "$z" "$z" > "$d/a"
      printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":9,"platform":{"os":"linux","architecture":"arm64","variant":"v8"}}],"annotations":{"org.opencontainers.image.ref.name":"a:1"}}' "$z" > "$d/b"
      printf '{"architecture":"amd64","os":"linux","config":{"Env":["PATH=/bin"],"Cmd":["sh"],"ExposedPorts":{"80/tcp":{}},"Labels":{"a":"b"},"Healthcheck":{"Test":["CMD","true"],"Interval":1000}},"rootfs":{"type":"layers","diff_ids":["sha256:%s"]},"history":[{"created_by":"RUN x","empty_layer":true}]}' "$z" > "$d/c"
      printf '{"imageLayoutVersion":"1.0.0"}' > "$d/d" ;;
    fuzz_report)
      z=$(printf '%064d' 0)
      printf '{"version":1,"image":{"digest":"sha256:%s","size":3012,"compressed_size":20480,"layers":2,"wasted_bytes":3000,"efficiency":0.5,"tar_size":20480,"live_bytes":12,"rewritten_live_bytes":0,"dive":{"efficiency":0.5,"wasted_bytes":3000,"user_size_bytes":6,"wasted_user_percent":500.0},"wasted_paths":[{"path":"/opt/big.bin","size":3000,"layer":0,"removed_by":1,"how":"deleted"}]},"steps":[{"stage":"build","line":3,"instruction":"RUN curl -o /opt/big.bin x","cache":"miss","seconds":2.318,"layer":{"digest":"sha256:%s","size":3006,"compressed_size":10240,"files":2,"wasted_bytes":3000,"diff_id":"sha256:%s","index":0,"tar_size":10240,"whiteouts":0,"removed_bytes":0}},{"stage":"0","line":4,"instruction":"ENV A=1","cache":"hit","seconds":0,"layer":null}]}' "$z" "$z" "$z" > "$d/a" ;;
    fuzz_lint_context)
      # Dockerfile NUL build args NUL base env NUL .dockerignore NUL
      # Dockerfile.dockerignore NUL .yarnrc.yml NUL yarn.lock NUL .pnp.cjs NUL package.json ...
      find "$root/corpus" -type f -name '*Dockerfile*' -size -8k | head -200 | while read -r f; do
        cp "$f" "$d/$(echo "$f" | md5sum | cut -c1-12)"; done
      printf 'FROM node:20\nCOPY package.json yarn.lock ./\nRUN yarn install\nCOPY . .\0V=1\0PATH=/usr/bin\nNODE_ENV=production\0node_modules\n*.log\n\0\0nodeLinker: node-modules\n\0# yarn lockfile v1\n\0\0{"name":"a"}\n' > "$d/yarn"
      printf 'ARG V\nFROM python:$V\nCOPY . /app\nRUN pip install -r requirements.txt\nRUN npm install\0V=3.12\0PIP_NO_CACHE_DIR=1\0**/__pycache__\n!keep\n\0\0\0__metadata:\n\0\0{}\0{"lockfileVersion":3}\0flask==3.0\0//r/:_authToken=abc\n' > "$d/pip" ;;
    fuzz_layer_import|fuzz_analysis)
      # Small layers: files, a directory, a symlink, a hard link, whiteouts.
      local t=$work/tree-$1
      mkdir -p "$t/a/d" "$t/x"
      printf 'hello\n' > "$t/a/f"; printf 'data' > "$t/a/d/g"; ln -sf f "$t/a/l"; ln -f "$t/a/f" "$t/a/h"
      : > "$t/a/.wh.gone"; : > "$t/x/.wh..wh..opq"
      local p; [ "$1" = fuzz_analysis ] && p='\001' || p=''
      { printf "$p"; tar -C "$t" -cf - a x; } > "$d/plain"
      { printf "$p"; tar -C "$t" -cf - a x | gzip -n; } > "$d/gzip"
      { printf "$p"; tar -C "$t" -cf - --format=pax a; } > "$d/pax"
      # Layers that end right after the last file's data, padded or not.
      { printf "$p"; tar -C "$t" -cf - --format=ustar a/f | head -c 1024; } > "$d/no-eof"
      { printf "$p"; tar -C "$t" -cf - --format=ustar a/f | head -c 518; } > "$d/no-pad"
      if [ "$1" = fuzz_analysis ]; then
        printf '\000f\001a/b\nd\001a\nlxa/l\n\nf\002a/b\nf\003.wh.x\nf\003x/.wh..wh..opq\nhxa/h\n' > "$d/entries"
      fi ;;
    fuzz_config)
      printf 'select: [DW1]\nignore:\n  - DW301\nfailure-threshold: info\n' > "$d/a" ;;
  esac
  echo "$d"
}
status=0
for t in "${targets[@]}"; do
  bin=$build/tests/fuzz/$t
  [ -x "$bin" ] || { echo "$t: not built"; status=1; continue; }
  dir=$(seed "$t")
  if "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -artifact_prefix="$work/$t-" \
       "$dir" > "$work/$t.log" 2>&1; then
    echo "$t: ok ($(grep -o 'Done [0-9]* runs' "$work/$t.log" | tail -1))"
  else
    echo "$t: FAILED"; tail -30 "$work/$t.log"; status=1
    # Keep the input that failed: the work folder goes on exit.
    mkdir -p "$build/fuzz-artifacts"
    for a in "$work/$t-"*; do
      [ -e "$a" ] && cp "$a" "$build/fuzz-artifacts/" && echo "kept: $build/fuzz-artifacts/${a##*/}"
    done
  fi
done
exit $status
