# test: rules=DW105
# Images without platform metadata, compatible platforms, variables in
# --platform (the build decides), no --platform at all, scratch and
# in-file stages.
FROM --platform=linux/amd64 alpine:3.20 AS a
FROM --platform=linux/arm64 arm64v8/alpine:3.20
FROM --platform=linux/aarch64 arm64v8/alpine:3.20
FROM --platform=linux/amd64 i386/alpine
FROM --platform=linux/arm64 arm32v7/alpine
FROM --platform=linux/arm/v7 arm32v6/alpine
FROM --platform=$BUILDPLATFORM arm64v8/alpine:3.20
FROM --platform=$TARGETPLATFORM amd64/alpine:3.20
FROM arm64v8/alpine:3.20
FROM --platform=windows/amd64 mcr.microsoft.com/windows/servercore:ltsc2022
FROM --platform=windows/amd64 winamd64/golang
FROM --platform=linux/amd64 scratch
FROM --platform=linux/s390x a
FROM --platform=linux/amd64 ghcr.io/arm64v8/tool
FROM --platform=linux/amd64 mcr.microsoft.com/dotnet/runtime:8.0
