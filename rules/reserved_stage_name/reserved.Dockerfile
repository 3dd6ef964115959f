# test: rules=DW108
FROM alpine:3.20 AS scratch
# expect @-1:21 DW108 "stage name 'scratch' is reserved: it already means the empty base image"
FROM alpine:3.20 AS Context
# expect @-1:21 DW108 "stage name 'Context' is reserved: it already means the build context"
FROM alpine:3.20 AS \
    SCRATCH
# expect @-1:5 DW108 "stage name 'SCRATCH' is reserved"
