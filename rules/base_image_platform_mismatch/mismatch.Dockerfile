# test: rules=DW105
ARG IMAGE=s390x/alpine
FROM --platform=linux/amd64 arm64v8/alpine:3.20
# expect @-1:29 DW105 "base image 'arm64v8/alpine:3.20' has no manifest for linux/amd64, the platform this stage is built for: it exists for linux/arm64/v8 only (its Docker Hub namespace holds one architecture)"
FROM --platform=linux/arm64 docker.io/amd64/ubuntu:24.04
# expect @-1:29 DW105 "it exists for linux/amd64 only"
FROM --platform=linux/arm/v6 arm32v7/debian:12
# expect @-1:30 DW105 "it exists for linux/arm/v7 only"
FROM --platform=linux/amd64 mcr.microsoft.com/windows/nanoserver:ltsc2022
# expect @-1:29 DW105 "it exists for windows only (Microsoft publishes it for Windows only)"
FROM --platform=windows/amd64 i386/busybox
# expect @-1:31 DW105 "has no manifest for windows/amd64"
FROM --platform=linux/x86_64 $IMAGE
# expect @-1:30 DW105 "base image 's390x/alpine' has no manifest for linux/x86_64"
