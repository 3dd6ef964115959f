# test: rules=DW102 fix=unsafe
ARG VERSION=1.2.3
ARG CHANNEL=stable
FROM alpine:3.20 AS build
# fixed: FROM alpine:3.20 AS build
# fixed: ARG VERSION
# fixed: ARG TARGETARCH
# dockwright ignore=DW301
RUN wget -q https://example.com/tool-$VERSION.tar.gz && echo "${VERSION}"
# expect @-1:38 DW102 "'VERSION' is a global ARG that this stage does not redeclare: RUN sees it only after 'ARG VERSION' in the stage"
# expect @-2:63 DW102 "'VERSION' is a global ARG"
RUN GOARCH=$TARGETARCH go build ./... \
    && echo $VERSION
# expect @-2:12 DW102 "'TARGETARCH' is an automatic platform ARG that this stage does not redeclare"
# expect @-2:13 DW102 "'VERSION' is a global ARG"
ARG CHANNEL
RUN echo $CHANNEL
FROM build
# fixed: FROM build
# fixed: ARG VERSION
RUN echo $VERSION $CHANNEL
# expect @-1:10 DW102 "'VERSION' is a global ARG"
