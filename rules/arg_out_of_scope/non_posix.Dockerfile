# test: rules=DW102
# `$NAME` is no environment lookup under PowerShell or cmd.
ARG VERSION=1
FROM alpine:3.20 AS pwsh
SHELL ["/usr/bin/pwsh", "-Command"]
RUN Write-Output $VERSION
FROM pwsh
RUN Write-Output $VERSION
SHELL ["/bin/sh", "-c"]
RUN echo $VERSION
# expect @-1:10 DW102 "'VERSION' is a global ARG"
FROM mcr.microsoft.com/windows/servercore:ltsc2022
RUN echo $VERSION
FROM alpine:3.20
RUN echo $VERSION
# expect @-1:10 DW102 "'VERSION' is a global ARG"
SHELL ["cmd", "/S", "/C"]
RUN echo $VERSION
