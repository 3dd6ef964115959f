# test: rules=DW302 fix=unsafe
FROM debian:12
RUN apt-get update && apt-get install -y python3 && rm -rf /var/lib/apt/lists/*
# fixed: RUN apt-get update && apt-get install --no-install-recommends -y python3 && rm -rf /var/lib/apt/lists/*
# expect @-2:31 DW302 "'apt-get install' without '--no-install-recommends' installs recommended packages"
RUN apt-get update && apt-get install -y \
# fixed: RUN apt-get update && apt-get install --no-install-recommends -y \
# expect @-2:31 DW302 "'apt-get install'"
      curl \
      git \
# fixed:       git ca-certificates \
 && rm -rf /var/lib/apt/lists/*
RUN apt install -y wget ca-certificates
# fixed: RUN apt install --no-install-recommends -y wget ca-certificates
# expect @-2:9 DW302 "'apt install'"
RUN aptitude install -y vim
# fixed: RUN aptitude install --without-recommends -y vim
# expect @-2:14 DW302 "'aptitude install' without '--without-recommends'"
ONBUILD RUN apt-get install -y wget=1.21
# fixed: ONBUILD RUN apt-get install --no-install-recommends -y wget=1.21 ca-certificates
# expect @-2:21 DW302 "'apt-get install'"
