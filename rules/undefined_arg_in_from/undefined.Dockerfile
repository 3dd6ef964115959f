# test: rules=DW103 fix=unsafe
ARG VERSION=3.20
ARG REGISTRY=docker.io
FROM alpine:${VERSOIN}
# fixed: FROM alpine:${VERSION}
# expect @-2:13 DW103 "'VERSOIN' in the FROM image is not a global ARG or an automatic platform ARG (did you mean 'VERSION'?)"
FROM $REGSTRY/library/alpine:$VERSION AS base
# fixed: FROM $REGISTRY/library/alpine:$VERSION AS base
# expect @-2:6 DW103 "'REGSTRY' in the FROM image is not a global ARG"
FROM --platform=$TARGETPLATFROM alpine:3.20
# fixed: FROM --platform=$TARGETPLATFORM alpine:3.20
# expect @-2:17 DW103 "'TARGETPLATFROM' in FROM --platform is not a global ARG or an automatic platform ARG (did you mean 'TARGETPLATFORM'?)"
FROM ${IMAGE:-alpine:3.20}
# expect @-1:6 DW103 "'IMAGE' in the FROM image is not a global ARG or an automatic platform ARG"
