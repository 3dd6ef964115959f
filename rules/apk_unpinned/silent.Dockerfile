# test: rules=DW307
FROM alpine:3.20
ARG CURL_VERSION
RUN apk add --no-cache curl=${CURL_VERSION} "jq~1.7"
RUN apk add --no-cache -t .deps gcc=13.2.1-r0
RUN apk add --no-cache --virtual=.deps make=4.4.1-r2
RUN apk add --allow-untrusted /tmp/pkg.apk ./local.apk
RUN apk add --no-cache 'python3>=3.12'
RUN apk del curl
RUN apk update
