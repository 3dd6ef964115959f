# test: rules=DW303
FROM debian:12
RUN apt-get install -y curl
RUN apt-get install --yes curl
RUN apt-get install --assume-yes curl
RUN apt-get -qq install curl
RUN apt-get -q -q install curl
RUN apt-get install -q=2 curl
RUN apt-get -yq install curl
RUN apt-get install -qy curl
RUN apt-get -o APT::Get::Assume-Yes=true install curl
RUN apt-get update
RUN apt-get clean
RUN apt-cache search curl
RUN echo 'APT::Get::Assume-Yes "true";' > /etc/apt/apt.conf.d/90yes
RUN apt-get install curl
RUN if apt-get install -s "postgresql-jit" > /dev/null 2>&1; then echo ok; fi
RUN apt-get --simulate upgrade
