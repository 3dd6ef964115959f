# test: rules=DW001
# syntax=docker/dockerfile:1
ARG BASE=alpine:3.20
FROM ${BASE} AS build
ENV A="quoted value" B='single' C=plain
LABEL org.opencontainers.image.title="demo"
RUN <<EOF
set -e
echo heredoc closed
EOF
COPY <<-CONF /etc/app.conf
	key=value
	CONF
CMD ["sh", "-c", "echo ok"]
