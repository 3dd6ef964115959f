# syntax=docker/dockerfile:1

# syntax=docker/dockerfile:1.7
FROM alpine:3.20
# expect @-2:1 DW010 "'# syntax=' is read as a plain comment"
# test: rules=DW010 fix=unsafe
