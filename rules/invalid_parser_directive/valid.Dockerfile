# syntax=docker/dockerfile:1.7
# escape=`
# check=skip=JSONArgsRecommended,StageNameCasing;error=True;experimental=all
FROM alpine:3.20
# escape=not-a-directive-here
# syntax=also-a-comment
# test: rules=DW009
