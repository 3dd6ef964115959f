# test: rules=DW401 fix=unsafe
FROM alpine:3.20 AS base
RUN apk add --no-cache curl
FROM base
# fixed: FROM base
# fixed: RUN addgroup -S -g 10001 app && adduser -S -D -H -u 10001 -G app app
USER root
# fixed: USER root
# fixed: USER 10001:10001
# expect @-3:6 DW401 "its last USER is 'root'"
ENTRYPOINT ["/usr/bin/curl"]
