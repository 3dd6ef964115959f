# test: rules=DW001
ARG VERSION=1.0
# expect @-1:1 DW001 "only ARG instructions"
ARG BASE=alpine
