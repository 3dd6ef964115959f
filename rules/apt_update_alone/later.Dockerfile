# test: rules=DW202 fix=unsafe
FROM debian:12
RUN apt-get update \
 && mkdir -p /opt/app
# expect @-2:5 DW202 "apt-get update"
ENV DEBIAN_FRONTEND=noninteractive
RUN apt-get install -y make
