# test: rules=DW111 fix=safe
FROM node:20
WORKDIR app
# expect @-1:9 DW111 "WORKDIR 'app' is relative and the first of its stage: it resolves against the base image's working directory"
WORKDIR src
FROM node:20 AS second
WORKDIR "app/src"
# expect @-1:9 DW111 "app/src"
FROM second
WORKDIR lib
