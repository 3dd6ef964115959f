# syntax=docker/dockerfile:1.3
# fixed: # syntax=docker/dockerfile:1.20
# test: rules=DW017 fix=unsafe
FROM alpine:3.20 AS build
COPY --link --chmod=u+x app /app
# expect @-1:6 DW017 "the pinned docker/dockerfile:1.3 predates COPY --link, which needs Dockerfile syntax 1.4 or later"
# expect @-2:13 DW017 "predates symbolic --chmod modes, which needs Dockerfile syntax 1.14 or later"
RUN <<EOF
echo heredoc
EOF
# expect @-3:5 DW017 "predates heredocs, which needs Dockerfile syntax 1.4"
RUN --mount=type=secret,id=tok,env=TOKEN --security=insecure true
# expect @-1:32 DW017 "predates secret mounts with env=, which needs Dockerfile syntax 1.10"
# expect @-2:42 DW017 "predates RUN --security, which needs Dockerfile syntax 1.20"
ARG VERSION=v1.2.3
ENV SHORT=${VERSION#v}
# expect @-1:11 DW017 "substitutions, which needs Dockerfile syntax 1.7"
