# syntax=docker/dockerfile:1
# escape=\
# check=skip=JSONArgsRecommended
# The directives above are in effect; these lines are plain comments.
FROM alpine:3.20
# check=skip=SecretsUsedInArgOrEnv
ENV API_TOKEN=placeholder
# syntax is a word in prose, not a directive
# The next line has no value, so it is no directive anywhere:
# escape=
CMD ["true"]
# test: rules=DW010
