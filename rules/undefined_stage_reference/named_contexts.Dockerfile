# test: rules=DW109
# Names listed under build-contexts in the configuration beside this
# fixture are named build contexts, not missing stages.
FROM alpine:3.20
COPY --from=docs /site /srv
COPY --from=Assets /img /srv/img
RUN --mount=from=vendor,target=/vendor ls /vendor
COPY --from=other /x /x
# expect @-1:13 DW109 "COPY --from=other names no stage of this file"
