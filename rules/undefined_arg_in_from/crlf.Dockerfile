# test: rules=DW103 fix=unsafe
ARG VERSION=3.20
FROM alpine:$VERSON \
# fixed: FROM alpine:$VERSION \
# expect @-2:13 DW103 "(did you mean 'VERSION'?)"
  AS base
