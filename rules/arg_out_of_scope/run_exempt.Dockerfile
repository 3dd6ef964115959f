# test: rules=DW102
# Redeclared ARGs (in the stage or an in-file parent), ENV, names the
# script sets, proxies, names that are no ARG at all, and exec form.
ARG VERSION=1 PORT=80 MODE=x HTTP_PROXY http_proxy ITEM NAME
FROM alpine:3.20 AS base
ARG VERSION
ENV PORT=8080
RUN echo $VERSION $PORT $HOME $PATH
RUN MODE=y; echo $MODE
RUN for ITEM in a b; do echo $ITEM; done
RUN read NAME; export NAME; echo "$NAME"
RUN curl -x "$HTTP_PROXY" https://example.com && echo $http_proxy
RUN ["sh", "-c", "echo $VERSION $MODE"]
FROM base
RUN echo $VERSION
