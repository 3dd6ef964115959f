# test: rules=DW109
# Earlier stages by name (any case) or index, image references, the
# current stage (DW110's business), variables (DW004's) and ONBUILD
# triggers (they name stages of the downstream build) are not reported.
FROM golang:1.22 AS Build
RUN go build -o /app ./cmd/app
FROM alpine:3.20 AS tools
COPY --from=BUILD /app /app
COPY --from=0 /app /app
COPY --from=build /app /app
COPY --from=alpine:3.20 /etc/os-release /
COPY --from=ghcr.io/org/img /x /x
COPY --from=busybox@sha256:0000000000000000000000000000000000000000000000000000000000000000 /bin/sh /sh
COPY --from=tools /x /y
COPY --from=1 /x /y
COPY --from=$STAGE /x /y
RUN --mount=type=bind,from=build,source=/app,target=/app /app
RUN --mount=from=0,target=/src true
ONBUILD COPY --from=downstream /x /y
FROM tools
COPY --from=1 /x /z
COPY --from=tools /x /z
