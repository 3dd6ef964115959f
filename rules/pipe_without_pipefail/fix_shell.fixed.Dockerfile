#
FROM debian:12
RUN apt-get update
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
# download and unpack
RUN curl -fsSL https://example.com/tool.tgz | tar -xz -C /opt
#
RUN a | b
#

FROM python:3.12-alpine AS alp
  SHELL ["/bin/ash", "-o", "pipefail", "-c"]
  RUN a | b
#

FROM alp
RUN c | d
#

FROM myorg/unknown:1
RUN a | b
#

FROM debian:12
ONBUILD RUN a | b
#
