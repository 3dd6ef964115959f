# test: rules=DW305
FROM alpine:3.20 AS build
RUN apk add gcc

FROM alpine:3.20
COPY --from=build /usr/bin/gcc /usr/bin/gcc
RUN apk add --no-cache curl
RUN apk --no-cache add curl
RUN apk add --update --no-cache curl
RUN apk add curl && rm -rf /var/cache/apk/*
RUN apk update && apk add curl && rm -rf /var/cache/apk
RUN --mount=type=cache,target=/var/cache/apk apk add curl
RUN --mount=type=cache,target=/etc/apk/cache apk add curl
RUN --mount=type=tmpfs,target=/var/cache/apk/ apk add curl
RUN apk del curl
RUN apk info
RUN apk add --no-network --virtual .rundeps so:libc.musl-x86_64.so.1
