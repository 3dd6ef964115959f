# test: rules=DW304
FROM debian:12
RUN apt-get update && apt-get install -y --no-install-recommends curl wget=1.21.3-1+b2 \
      git=1:2.39.* \
      ca-certificates
# expect @-3:66 DW304 "package 'curl' is not pinned: use 'curl=<version>'"
# expect @-2:7 DW304 "package 'ca-certificates' is not pinned"
RUN apt install -y -t bookworm-backports golang
# expect @-1:42 DW304 "package 'golang'"
RUN apt-get install -y nodejs/bookworm
# expect @-1:24 DW304 "package 'nodejs/bookworm'"
ONBUILD RUN apt-get install -y jq
# expect @-1:32 DW304 "package 'jq'"
