FROM alpine:3.20
# check=skip=SecretsUsedInArgOrEnv
ENV DB_PASSWORD=dev-only

# check=skip=JSONArgsRecommended
# a second comment line in the same block

CMD echo hi
# check=error=true
#
RUN true
# expect @-3:1 DW010 "'# check=' is read as a plain comment"
# test: rules=DW010
