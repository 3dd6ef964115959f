# test: rules=DW002
# Every keyword, in upper, lower and mixed case; heredoc bodies are not
# instructions.
ARG BASE=alpine:3.20
FROM ${BASE} AS base
from base
Run echo one
RUN <<EOF
FORM is text here
EOF
CMD ["true"]
LABEL a=b
MAINTAINER someone
EXPOSE 80
ENV A=1
ADD a /a
COPY b /b
ENTRYPOINT ["sh"]
VOLUME /data
USER 1000
WORKDIR /app
ONBUILD RUN true
STOPSIGNAL SIGTERM
HEALTHCHECK NONE
SHELL ["/bin/sh", "-c"]
