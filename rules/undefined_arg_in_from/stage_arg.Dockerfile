# test: rules=DW103 fix=unsafe
# An ARG inside a stage does not reach the next FROM.
FROM alpine:3.20 AS build
ARG GO_VERSION=1.22
FROM golang:${GO_VERSION}
# expect @-1:13 DW103 "'GO_VERSION' in the FROM image is declared by an ARG inside a stage (line 4); FROM lines see only ARGs declared before the first FROM"
