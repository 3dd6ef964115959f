# test: rules=DW325 fix=safe
FROM alpine:3.20
RUN ["gem", "install", "bundler:2.5.11"]
# expect @-1:13 DW325 "'gem install' without --no-document"
