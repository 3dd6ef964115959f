# test: rules=DW001
FROM alpine:3.20
ENV PATH
# expect @-1:5 DW001 "expected '=' or a value after 'PATH' in ENV"
LABEL maintainer
# expect @-1:7 DW001 "in LABEL"
ENV LEGACY value
LABEL key=value
