# syntax=docker/dockerfile:1
# test: rules=DW011

# Comments, blank lines, directives and ARGs may precede FROM.
ARG BASE=alpine
ARG TAG=3.20
FROM ${BASE}:${TAG} AS build
RUN true
FROM build
COPY --from=build /a /b
