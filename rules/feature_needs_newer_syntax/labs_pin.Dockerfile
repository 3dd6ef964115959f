# syntax=docker.io/docker/dockerfile:1.6-labs@sha256:24454f830cdb571e2c4ad15481119c43b3cafd48dd869a9b2945d1036d1dc68d
# fixed: # syntax=docker.io/docker/dockerfile:1.7-labs
# test: rules=DW017 fix=unsafe
FROM alpine:3.20
COPY --parents --exclude=*.md ./src/**/*.go /app/
# expect @-1:6 DW017 "the pinned docker.io/docker/dockerfile:1.6-labs@sha256:24454f830cdb571e2c4ad15481119c43b3cafd48dd869a9b2945d1036d1dc68d predates COPY --parents, which needs Dockerfile syntax 1.7-labs or later"
# expect @-2:16 DW017 "predates COPY --exclude, which needs Dockerfile syntax 1.7-labs"
