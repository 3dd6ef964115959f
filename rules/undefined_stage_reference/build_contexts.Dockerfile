# test: rules=DW109
# Without a configuration, a named build context is a bare name too.
FROM alpine:3.20
COPY --from=docs /site /srv
# expect @-1:13 DW109 "COPY --from=docs names no stage of this file"
