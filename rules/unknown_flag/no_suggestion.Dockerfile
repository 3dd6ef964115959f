# test: rules=DW003 fix=unsafe
FROM alpine:3.20
CMD --help
# expect @-1:5 DW003 "unknown flag: --help (CMD takes no flags)"
ENTRYPOINT --verbose ["app"]
# expect @-1:12 DW003 "ENTRYPOINT takes no flags"
COPY --checksum=sha256:abc a /a
# expect @-1:6 DW003 "unknown flag: --checksum (not a flag of COPY)"
ADD --from=build a /a
# expect @-1:5 DW003 "unknown flag: --from (not a flag of ADD)"
WORKDIR --mode=0755 /app
# expect @-1:9 DW003 "WORKDIR takes no flags"
COPY --ch=1 a /b
# expect @-1:6 DW003 "unknown flag: --ch (not a flag of COPY)"
