# test: rules=DW003
# Every flag BuildKit knows, on the instruction it belongs to.
FROM --platform=$BUILDPLATFORM golang:1.22 AS build
RUN --mount=type=cache,target=/root/.cache/go-build \
    --network=none \
    --security=sandbox \
    go build ./...
COPY --from=build --chown=1000:1000 --chmod=0755 --link --parents --exclude=*.md . /src/
ADD --chown=1000 --chmod=644 --link=false --keep-git-dir=true --unpack=false --exclude=.git https://github.com/moby/buildkit.git /bk
ADD --checksum=sha256:24454f830cdb571e2c4ad15481119c43b3cafd48dd869a9b2945d1036d1dc68d https://example.com/a.tgz /a.tgz
HEALTHCHECK --interval=30s --timeout=3s --start-period=5s --start-interval=1s --retries=3 CMD true
ONBUILD COPY --chown=app . /src
RUN -- echo the double dash ends the flags
RUN echo --not-a-flag
CMD ["--help"]
