# test: rules=DW102
# dockwright shell=pwsh
ARG VERSION=1
FROM alpine:3.20
RUN Write-Output $VERSION
