# test: rules=DW204
FROM debian:12 AS base
RUN curl -o /tmp/a.tgz https://example.invalid/a.tgz

FROM base
RUN rm /tmp/a.tgz
