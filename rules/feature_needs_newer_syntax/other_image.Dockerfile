# syntax=docker/dockerfile-upstream:master
# test: rules=DW017
FROM alpine:3.20
RUN --device=x true
