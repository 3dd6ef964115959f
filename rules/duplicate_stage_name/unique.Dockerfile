# test: rules=DW107
# Distinct names, unnamed stages and names that differ by more than case
# are fine.
FROM golang:1.22 AS build-app
FROM node:20 AS build-web
FROM alpine:3.20
FROM alpine:3.20
FROM build-app AS build_app
FROM scratch AS build.app
COPY --from=build-app /app /app
