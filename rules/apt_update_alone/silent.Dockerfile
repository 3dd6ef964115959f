# test: rules=DW202
FROM debian:12
RUN apt-get update && apt-get install -y curl
RUN apt-get update && apt-cache policy curl
RUN apt-get update && ./install-deps.sh
RUN apt-get update && sh /tmp/setup.sh
RUN apt-get update; apt-get -y dist-upgrade
RUN apt-get update && sh -c 'apt-get install -y git'
RUN apt-get -o Acquire::Retries=3 update && apt-get -o Acquire::Retries=3 install -y vim
RUN <<EOT
apt-get update
apt-get install -y jq
EOT
RUN echo apt-get update
RUN apt-get update && xx-apt-get install -y --no-install-recommends gcc
