#!/usr/bin/env -S docker build . --tag=app --file
# check=error=yes
FROM alpine:3.20
# expect @-2:15 DW009 "error=yes is not a boolean"
# test: rules=DW009
