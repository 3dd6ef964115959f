# test: rules=DW002 fix=safe
FROM alpine:3.20
RUNN echo hello
# expect @-1:1 DW002 "did you mean 'RUN'?"
