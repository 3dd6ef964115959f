# test: rules=DW013
FROM golang:1.22 AS 1st-build
# expect @-1:21 DW013 "invalid name for build stage: "1st-build", name can't start with a number or contain symbols (it starts with a digit)"
FROM alpine:3.20 AS build:amd64
# expect @-1:21 DW013 "(only letters, digits, '.', '_' and '-' may follow the first letter)"
FROM alpine:3.20 as $STAGE
# expect @-1:21 DW013 "(it must start with a letter)"
FROM alpine:3.20 AS stage-$ARCH
# expect @-1:21 DW013 "(variables are not expanded in stage names)"
FROM alpine:3.20 AS _private
# expect @-1:21 DW013 "(it must start with a letter)"
