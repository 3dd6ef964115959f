# test: rules=DW202 fix=safe
FROM ubuntu:24.04
RUN echo start
# expect @-1:19 DW202 "'apt update'"
RUN apt -q update && apt-get install -y curl \
    && rm -rf /var/lib/apt/lists/*
