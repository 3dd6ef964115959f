# test: rules=DW305 fix=safe
# A stage built on this one adds packages with the index these RUNs
# fetched: --no-cache here would break it, so the fix is unsafe and --fix
# leaves the RUNs alone.
FROM alpine:3.20 AS base
RUN apk update
RUN apk add curl
# expect @-1:9 DW305 "'apk add' without --no-cache"
RUN apk update && apk add jq
# expect @-1:23 DW305 "'apk add' without --no-cache"

# a builder stage: not reported itself, but it relies on the index
FROM base AS builder
RUN apk add gcc && gcc -o /hello /hello.c

FROM base
COPY --from=builder /hello /hello
RUN apk add --no-cache bash
ONBUILD RUN apk add git
# expect @-1:17 DW305 "'apk add'"
