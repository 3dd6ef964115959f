# test: rules=DW301 fix=safe
# Later RUNs install without their own update: cleaning the lists in the
# RUNs they rely on would break them, so those fixes are unsafe and --fix
# leaves the RUNs alone.
FROM debian:12 AS base
RUN apt-get update
# expect @-1:13 DW301 "'apt-get update' leaves /var/lib/apt/lists in the layer"
RUN apt-get install -y --no-install-recommends curl
# expect @-1:13 DW301 "'apt-get install'"
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates
# expect @-1:31 DW301 "'apt-get install'"

# this stage relies on the lists of 'base'
FROM base
RUN apt-get install -y --no-install-recommends curl
# fixed: RUN apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*
# expect @-2:13 DW301 "'apt-get install'"
ONBUILD RUN apt-get update
# expect @-1:21 DW301 "'apt-get update'"
