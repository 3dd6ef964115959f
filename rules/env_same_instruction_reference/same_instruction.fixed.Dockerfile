#
FROM alpine:3.20
ENV APP_HOME=/opt/app
ENV APP_BIN=$APP_HOME/bin
#
  env A=1 B=2
  env C="${A}-${B}"
#
#
ENV X=1
ENV Y=${X:-0}
ENV Z=$Y
#
#
ENV PATH=/opt/bin:$PATH
ENV LD=$PATH
#
