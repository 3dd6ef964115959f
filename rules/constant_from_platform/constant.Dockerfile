# test: rules=DW106
FROM --platform=linux/amd64 golang:1.22 AS build
# expect @-1:17 DW106 "FROM --platform=linux/amd64 pins a constant platform"
FROM --platform=linux/arm64/v8 alpine:3.20
# expect @-1:17 DW106 "FROM --platform=linux/arm64/v8 pins"
FROM --platform="linux/amd64" alpine:3.20 AS runtime
# expect @-1:17 DW106 "FROM --platform=linux/amd64 pins"
FROM \
  --platform=windows/amd64 \
  mcr.microsoft.com/windows/nanoserver:ltsc2022 AS app
# expect @-2:14 DW106 "FROM --platform=windows/amd64 pins"
