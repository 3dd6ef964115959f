#!/usr/bin/env -S docker build --file
# syntax=docker/dockerfile:1
# escape=`
# check=skip=all
FROM alpine:3.20
# expect @-3:1 DW010 "'# escape=' below a '#!' first line is ignored"
# test: rules=DW010 fix=unsafe
