# test: rules=DW104
ARG TAG
ARG REPO
ARG DIGEST
ARG SUFFIX
FROM alpine:$TAG
# expect @-1:6 DW104 "base image 'alpine:$TAG' is 'alpine:' with the global ARG defaults, which is not a valid reference: the tag after ':' is empty"
FROM ${REPO}
# expect @-1:6 DW104 "base image '${REPO}' is '' with the global ARG defaults, which is not a valid reference: the name is empty"
FROM Alpine:3.20 AS base
# expect @-1:6 DW104 "base image 'Alpine:3.20' is not a valid reference: the repository 'Alpine' must be lowercase"
FROM Base
# expect @-1:6 DW104 "the repository 'Base' must be lowercase (FROM matches stage names in lowercase: 'base')"
FROM alpine:3.20+1
# expect @-1:6 DW104 "the tag '3.20+1' is malformed"
FROM alpine@sha256:abc
# expect @-1:6 DW104 "the digest 'sha256:abc' is not an algorithm and its hex value"
FROM busybox@${DIGEST}
# expect @-1:6 DW104 "the digest after '@' is empty"
FROM ghcr.io/Org/app:1.0
# expect @-1:6 DW104 "the repository 'Org/app' must be lowercase"
