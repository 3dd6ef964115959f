# syntax=docker/dockerfile:1
# test: rules=DW011
ARG BASE=alpine:3.20
LABEL org.opencontainers.image.title=app
# expect @-1:1 DW011 "no build stage in current context: LABEL comes before the first FROM"
  env A=1
# expect @-1:3 DW011 "ENV comes before the first FROM"
ONBUILD RUN true
# expect @-1:1 DW011 "ONBUILD comes before the first FROM"
FROM ${BASE}
RUN true
