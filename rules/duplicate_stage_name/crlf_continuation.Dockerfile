# test: rules=DW107
FROM alpine:3.20 \
  AS one
FROM alpine:3.20 \
  AS ONE
# expect @-1:6 DW107 "stage name 'ONE' is already used by the stage at line 3"
