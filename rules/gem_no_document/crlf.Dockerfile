# test: rules=DW325 fix=safe
FROM alpine:3.20
RUN apk add --no-cache ruby \
 && gem install \
# fixed:  && gem install --no-document \
# expect @-2:9 DW325 "'gem install'"
      bundler:2.5.11
