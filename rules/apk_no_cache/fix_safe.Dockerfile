# test: rules=DW305 fix=safe
FROM alpine:3.20
RUN apk update && apk add curl
# fixed: RUN apk add --no-cache curl
# expect @-2:23 DW305 "'apk add' without --no-cache leaves the package index in the layer"
RUN apk add --update git \
# fixed: RUN apk add --no-cache git \
# expect @-2:9 DW305 "'apk add' without --no-cache"
      openssh-client
RUN apk add -U jq && echo done
# fixed: RUN apk add --no-cache jq && echo done
# expect @-2:9 DW305 "'apk add'"
# removed before the add: does not count
RUN rm -rf /var/cache/apk/* && apk add -q bash
# fixed: RUN rm -rf /var/cache/apk/* && apk add --no-cache -q bash
# expect @-2:36 DW305 "'apk add'"
# apk upgrade needs the index: apk update stays
RUN apk update && apk upgrade && apk add curl
# fixed: RUN apk update && apk upgrade && apk add --no-cache curl
# expect @-2:38 DW305 "'apk add'"
# the second add also uses the cache: one pass fixes both, apk update stays
RUN apk update && apk add curl && apk add jq
# fixed: RUN apk update && apk add --no-cache curl && apk add --no-cache jq
# expect @-2:23 DW305 "'apk add'"
# expect @-3:39 DW305 "'apk add'"
RUN sh -c 'apk add git'
# fixed: RUN sh -c 'apk add --no-cache git'
# expect @-2:16 DW305 "'apk add'"
