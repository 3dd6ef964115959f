# test: rules=DW124
FROM alpine:3.20 AS base
HEALTHCHECK CMD true

FROM alpine:3.20
# expect @-1:1 DW124 "the target stage (stage 1) has no HEALTHCHECK"
COPY --from=base /etc/hostname /x
