#
FROM alpine:3.20
COPY package.json package-lock.json /app/
#
ADD --chown=1000:1000 a.tar b.tar c.tar /opt/data/
#
COPY ["a b.txt", "c.txt", "/srv/files/"]
#
COPY --from=build /out/app /out/lib \
     /usr/local/
#
ARG DEST=/etc/app
COPY a.conf b.conf $DEST/
#
COPY <<EOF <<EOT /etc/motd/
hello
EOF
world
EOT
#
