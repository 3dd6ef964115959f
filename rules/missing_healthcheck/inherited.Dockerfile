# test: rules=DW124
# The target inherits the HEALTHCHECK of its in-file parent; other stages
# are not checked.
FROM alpine:3.20 AS base
HEALTHCHECK --interval=30s CMD wget -q -O- http://localhost/ || exit 1

FROM alpine:3.20 AS tools
RUN echo no probe here

FROM base AS app
RUN echo app
