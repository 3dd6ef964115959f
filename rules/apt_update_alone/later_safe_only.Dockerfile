# test: rules=DW202 fix=safe
FROM debian:12
RUN apt-get update
# expect @-1:5 DW202 "apt-get update"
ENV DEBIAN_FRONTEND=noninteractive
RUN apt-get install -y make
RUN --network=none apt-get update
# expect @-1:20 DW202 "apt-get update"
RUN apt-get install -y make
