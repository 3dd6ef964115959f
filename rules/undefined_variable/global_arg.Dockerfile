# test: rules=DW101 fix=unsafe
ARG VERSION=1.2.3
FROM alpine:3.20
LABEL org.opencontainers.image.version=$VERSION
# expect @-1:40 DW101 "'VERSION' is a global ARG that this stage does not redeclare: add 'ARG VERSION' to the stage to use it here"
ENV ARCH=${TARGETARCH}
# expect @-1:10 DW101 "'TARGETARCH' is an automatic platform ARG that this stage does not redeclare"
FROM alpine:3.20
ARG VERSION
ARG TARGETARCH
LABEL version=$VERSION arch=$TARGETARCH
