# test: rules=DW104
# Valid references, a variable that stays empty inside a longer valid
# word, scratch, stage names, and words with variables BuildKit refuses
# to expand (DW015's business).
ARG TAG=3.20
ARG SUFFIX
ARG REGISTRY=registry.example.com:5000
ARG BROKEN=${template:variant}
FROM alpine:$TAG AS base
FROM alpine:3.20${SUFFIX}
FROM ${REGISTRY}/team/app:v1.2.3-rc.1
FROM busybox@sha256:0000000000000000000000000000000000000000000000000000000000000000
FROM localhost/app
FROM docker.io/library/ubuntu:24.04
FROM scratch
FROM base
FROM alpine:${TAG:=1}
FROM alpine:$BROKEN
