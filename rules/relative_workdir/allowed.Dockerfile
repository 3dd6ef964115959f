# test: rules=DW111
# Absolute paths, variables first, Windows drives, and relative paths
# after an absolute WORKDIR of the stage or of an in-file parent.
ARG DIR=/srv
FROM alpine:3.20 AS base
WORKDIR /app
WORKDIR src
FROM base
WORKDIR lib
FROM alpine:3.20
ARG DIR
WORKDIR $DIR
WORKDIR relative-after-a-variable
FROM alpine:3.20
WORKDIR "${HOME}/app"
FROM mcr.microsoft.com/windows/nanoserver:ltsc2022
WORKDIR C:\\app
FROM mcr.microsoft.com/windows/nanoserver:ltsc2022
WORKDIR c:/app
FROM alpine:3.20
ONBUILD WORKDIR app
WORKDIR /ok
FROM mcr.microsoft.com/windows/nanoserver:ltsc2022
WORKDIR C:\app
