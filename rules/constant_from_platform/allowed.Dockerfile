# test: rules=DW106
# Variables (any of them), and stage names that say the platform.
ARG PLATFORM=linux/amd64
FROM --platform=$BUILDPLATFORM golang:1.22 AS build
FROM --platform=${TARGETPLATFORM} alpine:3.20 AS target
FROM --platform=$PLATFORM alpine:3.20
FROM --platform=linux/amd64 alpine:3.20 AS build-AMD64
FROM --platform=linux/arm64 alpine:3.20 AS arm64_runtime
FROM --platform=windows/amd64 mcr.microsoft.com/windows/nanoserver:ltsc2022 AS windows-base
FROM alpine:3.20
