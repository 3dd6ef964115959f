# test: rules=DW204
FROM golang:1.23 AS build
RUN curl -o /tmp/x.tgz https://example.invalid/x.tgz
RUN rm /tmp/x.tgz

FROM debian:12
RUN curl -fsSLo /tmp/y.tgz https://example.invalid/y.tgz && tar -xzf /tmp/y.tgz -C /opt && rm /tmp/y.tgz
RUN apt-get update && apt-get install -y curl
RUN rm -rf /var/lib/apt/lists/*
COPY small.txt /tmp/small.txt
RUN rm /tmp/small.txt
RUN cd /tmp && curl -o z.tgz https://example.invalid/z.tgz
RUN rm -f /other/z.tgz
ARG F=/tmp/q
RUN curl -o /tmp/q https://example.invalid/q
RUN rm -f "$F"
COPY *.txt /tmp/txt/
RUN rm -rf /tmp/txt
