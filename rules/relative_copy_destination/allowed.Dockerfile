# test: rules=DW112
# Absolute destinations, a WORKDIR in the stage or an in-file parent,
# destinations that start with a variable, Windows drives, ONBUILD.
FROM alpine:3.20 AS base
COPY a /app/
COPY ["b", "/app/b"]
ADD c /
ENV DEST=/srv
COPY d $DEST
COPY e ${DEST}/e
ONBUILD COPY . .
WORKDIR /app
COPY . .
FROM base
COPY f g
FROM mcr.microsoft.com/windows/nanoserver:ltsc2022
COPY h C:\\app\\
COPY i c:/app/
COPY j C:\app\
COPY ["k", "C:\\app"]
