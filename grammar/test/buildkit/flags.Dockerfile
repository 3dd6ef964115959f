FROM golang:1.22 AS build
COPY --from=build --chown=1:1 a b /d/
RUN --mount=type=cache,target=/root/.cache go build ./...
RUN --mount="type=cache,target=/a b" echo
COPY --link ["a b", "/x/"]
COPY --chown="app user":app a /b/
RUN --network=none echo
