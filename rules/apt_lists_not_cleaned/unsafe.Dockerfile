# test: rules=DW301 fix=unsafe
FROM debian:12
RUN apt-get update
# fixed: RUN apt-get update && rm -rf /var/lib/apt/lists/*
# expect @-2:13 DW301 "'apt-get update'"
RUN apt-get install -y --no-install-recommends curl
# fixed: RUN apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*
# expect @-2:13 DW301 "'apt-get install'"
ONBUILD RUN apt-get update
# fixed: ONBUILD RUN apt-get update && rm -rf /var/lib/apt/lists/*
# expect @-2:21 DW301 "'apt-get update'"
