# test: rules=DW113
# Directories, one source, and destinations whose value is unknown.
FROM alpine:3.20
ARG UNKNOWN
COPY a b /app/
COPY a b ./
COPY ["a", "b", "/srv/"]
COPY a /app
COPY src/*.txt /app
ADD https://example.com/a.tgz /tmp/a.tgz
COPY a b $UNKNOWN
COPY a b /
COPY <<EOF /etc/motd
hello
EOF
