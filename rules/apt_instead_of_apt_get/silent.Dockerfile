# test: rules=DW306
FROM debian:12
RUN apt-get update && apt-get install -y curl
RUN apt-cache search curl
RUN echo apt install curl
RUN aptitude install -y curl
RUN apt-key add /tmp/key.gpg
