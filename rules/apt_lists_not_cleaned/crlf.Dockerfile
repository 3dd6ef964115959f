# test: rules=DW301 fix=safe
FROM debian:12
RUN apt-get update \
 && apt-get install -y --no-install-recommends curl
# fixed:  && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*
# expect @-2:13 DW301 "'apt-get install' leaves"
