FROM alpine:3.20
# escape=`
# expect @-1:1 DW010 "'# escape=' is read as a plain comment"
RUN echo one \
# syntax=docker/dockerfile:1
    two
# expect @-2:1 DW010 "'# syntax=' is read as a plain comment"
# test: rules=DW010 fix=unsafe
