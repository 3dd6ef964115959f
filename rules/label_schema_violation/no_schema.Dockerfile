# test: rules=DW123
# Without a label schema in the configuration the rule is silent.
FROM alpine:3.20
LABEL version=not-a-version maintainer=nobody
