# check=skip=JSONArgsRecommended;error=maybe;nonsense
FROM alpine:3.20
# expect @-2:40 DW009 "failed to parse check options: error=maybe is not a boolean"
# expect @-3:46 DW009 "invalid check option 'nonsense'"
# test: rules=DW009
