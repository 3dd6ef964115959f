# test: rules=DW117
# Self-references, separate instructions and names set elsewhere are fine.
FROM alpine:3.20
ENV PATH=/opt/bin:$PATH
ENV A=1
ENV B=$A C=${A}x
ARG V=1
ENV V=2 W=$W-suffix U=$HOME
ENV LEGACY value with $LEGACY
LABEL a=1 b=$a
ARG X=1 Y=$X
