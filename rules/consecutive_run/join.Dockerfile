# test: rules=DW203 fix=safe
FROM debian:12
RUN mkdir -p /opt/tool
# fixed: RUN mkdir -p /opt/tool \
# the download
RUN curl -fsSLo /tmp/t.tgz https://example.invalid/t.tgz
# fixed:  && curl -fsSLo /tmp/t.tgz https://example.invalid/t.tgz
# expect @-2:1 DW203 "directly follows the RUN on line 3 with the same flags"
