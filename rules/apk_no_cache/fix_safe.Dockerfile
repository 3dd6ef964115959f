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
