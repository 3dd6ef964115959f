# test: rules=DW012
FROM alpine:3.20
COPY app.tar.gz
# expect @-1:6 DW012 "COPY has a source but no destination"
ADD ["https://example.com/a.tgz"]
# expect @-1:6 DW012 "ADD has a source but no destination"
COPY config.yml <<EOF
x
EOF
# expect @-3:17 DW012 "COPY cannot accept a heredoc as a destination"
SHELL /bin/bash -c
# expect @-1:7 DW012 "SHELL requires the arguments to be in JSON form"
SHELL []
# expect @-1:1 DW012 "SHELL requires at least one argument"
SHELL
# expect @-1:1 DW012 "SHELL requires at least one argument"
HEALTHCHECK CMD []
# expect @-1:13 DW012 "Missing command after HEALTHCHECK CMD"
VOLUME []
# expect @-1:1 DW012 "VOLUME requires at least one argument"
VOLUME ["/data", " "]
# expect @-1:18 DW012 "VOLUME specified can not be an empty string"
STOPSIGNAL SIGTERMINATE
# expect @-1:12 DW012 "invalid STOPSIGNAL 'SIGTERMINATE'"
STOPSIGNAL 0
# expect @-1:12 DW012 "invalid STOPSIGNAL '0'"
ONBUILD COPY only-one
# expect @-1:14 DW012 "COPY has a source but no destination"
