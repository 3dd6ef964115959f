# test: rules=DW103
# Global ARGs (with or without a default), automatic platform ARGs and
# constants are fine; stage ARGs are not FROM's business.
ARG BASE=alpine
ARG TAG
ARG BASE_IMAGE=${BASE}:3.20
FROM --platform=$BUILDPLATFORM ${BASE}:${TAG:-3.20} AS build
ARG LOCAL=1
RUN echo $LOCAL $UNDEFINED_IN_RUN
FROM --platform=${TARGETOS}/${TARGETARCH} $BASE_IMAGE
FROM build
FROM scratch
