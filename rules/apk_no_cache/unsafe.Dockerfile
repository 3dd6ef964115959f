# test: rules=DW305 fix=unsafe
FROM alpine:3.20
RUN apk update && apk add curl
# fixed: RUN apk add --no-cache curl
# expect @-2:23 DW305 "'apk add'"
RUN apk add jq
# fixed: RUN apk add --no-cache jq
# expect @-2:9 DW305 "'apk add'"
