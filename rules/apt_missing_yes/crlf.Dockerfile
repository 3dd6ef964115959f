# test: rules=DW303 fix=safe
FROM debian:12
RUN apt-get update \
 && apt-get install curl
# fixed:  && apt-get install -y curl
# expect @-2:13 DW303 "'apt-get install' without -y"
