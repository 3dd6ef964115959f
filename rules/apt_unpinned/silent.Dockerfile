# test: rules=DW304
FROM debian:12
ARG CURL_VERSION=7.88.1-10+deb12u5
RUN apt-get install -y curl=${CURL_VERSION} "wget=$WGET_VERSION"
RUN apt-get install -y ./local.deb /tmp/pkg.deb
RUN apt-get install -y $(cat /tmp/packages.txt)
RUN apt-get install -y curl=7.88.*
RUN apt-get remove -y curl
RUN apt-get update
RUN apt-get -o Dpkg::Options::=--force-confold install -y jq=1.6-2.1
RUN apt-get install -s curl
