# test: rules=DW114
# One of each kind per stage is fine; parent stages and ONBUILD triggers do
# not count.
FROM alpine:3.20 AS base
CMD ["base"]
ENTRYPOINT ["/entry"]
HEALTHCHECK CMD true
ONBUILD CMD ["downstream"]

FROM base
CMD ["child"]
ENTRYPOINT ["/child-entry"]
HEALTHCHECK NONE
ONBUILD CMD ["again"]
ONBUILD CMD ["and again"]

FROM scratch
CMD ["x"]
