# test: rules=DW013
FROM golang:1.22 AS Build-1
FROM alpine:3.20 AS runtime.v2_final
FROM alpine:3.20 as x
FROM alpine:3.20
