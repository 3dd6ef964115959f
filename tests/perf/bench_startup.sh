#!/usr/bin/env bash
# Start-up benchmark (issue #5: `dockwright lint` of a small file within
# 2 ms of /bin/true per process). Prints ms per run for /bin/true,
# `dockwright --version`, `lint` of a 3-line file and of a typical 40-line
# file, and the shared libraries each process maps.
# Use a Release build: tests/perf/bench_startup.sh build/release [RUNS]
# hyperfine is used when installed (scripts/deps.sh --bench), else a loop.
# Figures only.
set -u
build=${1:?usage: bench_startup.sh BUILD_DIR [RUNS]}
runs=${2:-500}
dw=$(cd "$build" 2> /dev/null && pwd)/dockwright
[ -x "$dw" ] || { echo "build $build first"; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 2

printf 'FROM alpine:3.20\nRUN apk add --no-cache curl\nCMD ["curl", "--version"]\n' > small.Dockerfile
cat > typical.Dockerfile <<'DF'
# syntax=docker/dockerfile:1
ARG NODE_VERSION=20.11.1
FROM node:${NODE_VERSION}-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm \
    npm ci --omit=dev

FROM node:${NODE_VERSION}-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY tsconfig.json ./
COPY src ./src
RUN npm run build && npm prune --omit=dev

FROM debian:bookworm-slim AS tools
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates curl tini \
 && rm -rf /var/lib/apt/lists/*

FROM node:${NODE_VERSION}-bookworm-slim
LABEL org.opencontainers.image.source="https://example.com/app" \
      org.opencontainers.image.licenses="MIT"
ENV NODE_ENV=production \
    PORT=8080
WORKDIR /app
COPY --from=tools /usr/bin/tini /usr/bin/tini
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
RUN groupadd --system app && useradd --system --gid app --no-create-home app \
 && chown -R app:app /app
USER app
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=3s \
  CMD curl -fsS http://localhost:8080/healthz || exit 1
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "dist/server.js"]
DF

# The same environment for every command: no user config is looked up.
export HOME=$work XDG_CONFIG_HOME=$work/.config
lint="$dw lint --failure-threshold none"
cmds=("/bin/true" "$dw --version" "$lint small.Dockerfile" "$lint typical.Dockerfile")
names=("/bin/true" "dockwright --version" "lint, 3-line file" "lint, 40-line file")

if command -v hyperfine > /dev/null; then
  # -N: no intermediate shell, so /bin/true is the bare cost of a process.
  hyperfine -N --warmup 20 --runs "$runs" --export-json times.json "${cmds[@]}" > /dev/null 2>&1 \
    || { echo "hyperfine failed"; exit 2; }
  python3 - "${names[@]}" <<'PY'
import json, sys
r = json.load(open("times.json"))["results"]
# The median and the minimum resist the load of a shared machine better
# than the mean.
base = r[0]["median"] * 1000
for name, x in zip(sys.argv[1:], r):
    m = x["median"] * 1000
    print(f"{name:24s} median {m:6.2f} ms (+{m - base:5.2f} over /bin/true), "
          f"min {x['min'] * 1000:6.2f}, mean {x['mean'] * 1000:6.2f}")
PY
else
  now() { date +%s%N; }
  for i in "${!cmds[@]}"; do
    # shellcheck disable=SC2086
    s=$(now); for ((r = 0; r < runs; r++)); do ${cmds[$i]} > /dev/null 2>&1; done; e=$(now)
    echo "${names[$i]}: $(( (e - s) / runs / 1000 )) us per run (shell loop)"
  done
fi

# Instructions per run (valgrind's count is repeatable on a loaded machine,
# and includes the dynamic loader).
if command -v valgrind > /dev/null; then
  for i in 1 2 3; do
    # shellcheck disable=SC2086
    n=$(valgrind --tool=callgrind --callgrind-out-file=/dev/null ${cmds[$i]} 2>&1 > /dev/null |
        sed -n 's/.*Collected : *//p')
    printf '%-24s %12s instructions\n' "${names[$i]}" "$n"
  done
fi

if ldd "$dw" > /dev/null 2>&1; then
  echo "shared libraries (ldd): $(ldd "$dw" | wc -l)"
fi
if LD_DEBUG=files "$dw" --version 2>&1 >/dev/null | grep -q 'file=libc\.so'; then
  for c in "--version" "lint --failure-threshold none small.Dockerfile"; do
    # shellcheck disable=SC2086
    n=$(LD_DEBUG=files "$dw" $c 2>&1 > /dev/null | grep -c 'calling init:')
    echo "objects initialized by 'dockwright $c': $n"
  done
fi
