# syntax=docker/dockerfile:1
# Syntax=docker/dockerfile:1.7
# escape=`
# ESCAPE=\
FROM alpine:3.20
# expect @-4:3 DW009 "only one syntax parser directive can be used"
# expect @-3:3 DW009 "only one escape parser directive can be used"
# test: rules=DW009
