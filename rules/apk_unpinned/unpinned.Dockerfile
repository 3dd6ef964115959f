# test: rules=DW307
FROM alpine:3.20
RUN apk add --no-cache curl jq=1.7.1-r0 bash~5.2 \
      git
# expect @-2:24 DW307 "package 'curl' is not pinned: use 'curl=<version>' or 'curl~<version>'"
# expect @-2:7 DW307 "package 'git'"
RUN apk add --no-cache --virtual .build-deps gcc=13.2.1-r0 make
# expect @-1:60 DW307 "package 'make'"
ONBUILD RUN apk add --no-cache -X https://dl-cdn.alpinelinux.org/alpine/edge/testing hub
# expect @-1:86 DW307 "package 'hub'"
