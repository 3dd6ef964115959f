# test: rules=DW003
FROM alpine:3.20
ARG --platform=linux/arm64 VERSION=1
# expect @-1:5 DW003 "flag --platform has no effect: BuildKit drops the flags of ARG without a word"
STOPSIGNAL --force SIGTERM
# expect @-1:12 DW003 "drops the flags of STOPSIGNAL"
HEALTHCHECK --interval=5s NONE
# expect @-1:13 DW003 "drops the flags of HEALTHCHECK NONE"
