# test: rules=DW204 fix=unsafe
FROM debian:12
ADD tool.sh /tmp/tool/
RUN sh /tmp/tool/tool.sh && rm -rf /tmp/tool
# expect @-1:36 DW204 "(ADD on line 3)"
ADD pkg.tar /tmp/pkg/
RUN ls /tmp/pkg && rm -rf /tmp/pkg
# expect @-1:27 DW204 "(ADD on line 6)"
COPY scripts /tmp/s
RUN sh /tmp/s/a.sh && rm -rf /tmp/s
# expect @-1:30 DW204 "'/tmp/s' was created in an earlier layer (COPY on line 9)"
ADD scripts/ /tmp/as/
RUN sh /tmp/as/b.sh && rm -rf /tmp/as
# expect @-1:31 DW204 "(ADD on line 12)"
