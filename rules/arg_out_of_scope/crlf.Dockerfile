# test: rules=DW102 fix=unsafe
ARG VERSION=1
FROM alpine:3.20 \
  AS base
# fixed:   AS base
# fixed: ARG VERSION
RUN echo \
  $VERSION
# expect @-1:3 DW102 "'VERSION' is a global ARG"
