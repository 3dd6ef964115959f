# test: rules=DW108
# The names as base images, and names that only contain them, are fine.
FROM scratch AS scratch-base
FROM scratch
FROM alpine:3.20 AS build-context
FROM alpine:3.20 AS contexts
COPY --from=build-context / /
