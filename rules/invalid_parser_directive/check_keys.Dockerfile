#check = skip=all;colour=red // a reason after a blank is not read
FROM alpine:3.20
# expect @-2:19 DW009 "invalid check option 'colour' (skip, error or experimental)"
# test: rules=DW009
