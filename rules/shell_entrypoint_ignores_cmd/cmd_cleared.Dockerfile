# test: rules=DW115
# An ENTRYPOINT clears an inherited CMD; exec-form ENTRYPOINTs receive
# the CMD; `CMD []` sets no command.
FROM alpine:3.20 AS base
CMD ["--help"]

FROM base AS clears
ENTRYPOINT /usr/bin/app

FROM alpine:3.20 AS exec
ENTRYPOINT ["/usr/bin/app"]
CMD ["--port", "8080"]

FROM alpine:3.20 AS empty
ENTRYPOINT /usr/bin/app
CMD []

FROM alpine:3.20 AS replaced
ENTRYPOINT /usr/bin/old
CMD ["x"]
ENTRYPOINT ["/usr/bin/new"]
