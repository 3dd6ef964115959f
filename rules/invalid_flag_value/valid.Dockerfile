# test: rules=DW004
FROM --platform=$BUILDPLATFORM golang:1.22 AS build
COPY --from=build --chown=1000:1000 --chmod=0755 --link --parents=true --exclude=*.md --exclude=*.txt . /src/
COPY --chmod=u=rwX,go=rX --link=FALSE a /a
COPY --chmod=+x b /b
COPY --chmod=$MODE b /b
ADD --chmod=644 --keep-git-dir --unpack=true https://github.com/moby/buildkit.git /bk
RUN --network=none --security=insecure --device=vendor.com/gpu --device=other make
RUN --network=default true
RUN --network=host true
# BuildKit joins continued lines first: the value goes on after the break.
RUN --network=\
none true
RUN --network=ho\
st --security=\
insecure true
HEALTHCHECK NONE
CMD ["true"]
