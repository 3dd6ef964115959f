# syntax=docker/dockerfile:1
# Build the web app
FROM alpine:3.20
#
#
