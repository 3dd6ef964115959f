# test: rules=DW113 fix=unsafe
FROM alpine:3.20
COPY package.json package-lock.json /app
# expect @-1:37 DW113 "destination '/app' does not end with '/' but COPY has 2 sources: the classic builder refuses this"
ADD --chown=1000:1000 a.tar b.tar c.tar /opt/data
# expect @-1:41 DW113 "destination '/opt/data' does not end with '/' but ADD has 3 sources"
COPY ["a b.txt", "c.txt", "/srv/files"]
# expect @-1:27 DW113 "destination '/srv/files' does not end with '/' but COPY has 2 sources"
COPY --from=build /out/app /out/lib \
     /usr/local
# expect @-1:6 DW113 "destination '/usr/local' does not end with '/' but COPY has 2 sources"
ARG DEST=/etc/app
COPY a.conf b.conf $DEST
# expect @-1:20 DW113 "destination '/etc/app' does not end with '/'"
COPY <<EOF <<EOT /etc/motd
hello
EOF
world
EOT
# expect @-5:18 DW113 "destination '/etc/motd' does not end with '/' but COPY has 2 sources"
