# test: rules=DW302
FROM debian:12 AS build
# a builder stage does not ship
RUN apt-get install -y gcc

FROM debian:12
RUN apt-get install -y --no-install-recommends curl
RUN apt-get install --no-install-recommends -y curl
RUN apt-get -o APT::Install-Recommends=false install -y curl
RUN apt-get install -y -o APT::Install-Recommends=0 curl
RUN aptitude install -R -y vim
RUN aptitude install --without-recommends -y vim
RUN apt-get update && apt-get upgrade -y
RUN apt-get remove -y curl

FROM debian:12 AS conf
RUN echo 'APT::Install-Recommends "0";' > /etc/apt/apt.conf.d/99norecommends
RUN apt-get install -y curl

FROM conf
RUN apt-get install -y wget
RUN apt-get install --dry-run curl
