# syntax=docker/dockerfile:1.3
# fixed: # syntax=docker/dockerfile:1.20
# test: rules=DW017 fix=unsafe
FROM alpine:3.20 AS build
COPY --link --chmod=u+x app /app
# expect @-1:6 DW017 "COPY --link needs Dockerfile syntax 1.4 or later, but the file pins docker/dockerfile:1.3"
# expect @-2:13 DW017 "symbolic --chmod modes needs Dockerfile syntax 1.14 or later"
RUN <<EOF
echo heredoc
EOF
# expect @-3:5 DW017 "heredocs needs Dockerfile syntax 1.4 or later"
RUN --mount=type=secret,id=tok,env=TOKEN --security=insecure true
# expect @-1:32 DW017 "secret mounts with env= needs Dockerfile syntax 1.10"
# expect @-2:42 DW017 "RUN --security needs Dockerfile syntax 1.20"
ARG VERSION=v1.2.3
ENV SHORT=${VERSION#v}
# expect @-1:11 DW017 "substitutions needs Dockerfile syntax 1.7"
