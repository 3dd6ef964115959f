# test: rules=DW401
FROM alpine:3.20 AS base
USER 1000:1000
FROM base
CMD ["sh"]
