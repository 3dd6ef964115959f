# syntax=docker/dockerfile:1
# My image
FROM alpine:3.20
#
#
