# syntax=docker/dockerfile:1.7.1
# test: rules=DW017
FROM alpine:3.20
COPY --link --chmod=0755 app /app
RUN --mount=type=cache,target=/root/.cache --network=none <<EOF
echo fine
EOF
ADD --checksum=sha256:24454f830cdb571e2c4ad15481119c43b3cafd48dd869a9b2945d1036d1dc68d https://example.com/a.tgz /a.tgz
ENV V=1.2.3 SHORT=${V%%.*}
