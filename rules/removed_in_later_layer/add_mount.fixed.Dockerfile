# test: rules=DW204 fix=unsafe
FROM debian:12
RUN --mount=type=bind,source=tool.sh,target=/tmp/tool/tool.sh sh /tmp/tool/tool.sh
# expect @-1:36 DW204 "(ADD on line 3)"
ADD pkg.tar /tmp/pkg/
RUN ls /tmp/pkg && rm -rf /tmp/pkg
# expect @-1:27 DW204 "(ADD on line 6)"
RUN --mount=type=bind,source=scripts,target=/tmp/s sh /tmp/s/a.sh
# expect @-1:30 DW204 "'/tmp/s' was created in an earlier layer (COPY on line 9)"
RUN --mount=type=bind,source=scripts,target=/tmp/as sh /tmp/as/b.sh
# expect @-1:31 DW204 "(ADD on line 12)"
