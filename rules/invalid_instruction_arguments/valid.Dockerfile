# test: rules=DW012
FROM alpine:3.20 AS build
FROM build
COPY a b /dst/
COPY <<EOF /etc/motd
hello
EOF
ADD ["a b", "/c d/"]
SHELL ["/bin/sh", "-c"]
SHELL ['/bin/bash', '-c']
HEALTHCHECK CMD ["true"]
HEALTHCHECK NONE
VOLUME /data /logs
STOPSIGNAL SIGTERM
STOPSIGNAL sigquit
STOPSIGNAL 9
STOPSIGNAL RTMIN+3
STOPSIGNAL $SIGNAL
USER app:app
WORKDIR /srv/app
MAINTAINER someone
RUN
CMD
ENV A=1 B=2
ARG X
ONBUILD COPY a /b
