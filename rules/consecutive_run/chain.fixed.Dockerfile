# test: rules=DW203 fix=safe
FROM alpine:3.20
RUN mkdir -p /opt/tool \
 && wget -O /tmp/t.tgz https://example.invalid/t.tgz \
# expect @-1:1 DW203 "line 3"
 && tar -xzf /tmp/t.tgz -C /opt/tool && rm /tmp/t.tgz
# expect @-1:1 DW203 "line 5"
CMD ["/opt/tool/bin/t"]
