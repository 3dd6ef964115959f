# syntax=docker/dockerfile:1
FROM alpine:3.20
# escape=`
#
RUN echo one \
    two
#
#
