# escape=/
FROM alpine:3.20
# expect @-2:10 DW009 "invalid escape token '/' does not match ` or \"
# test: rules=DW009
