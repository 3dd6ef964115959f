# test: rules=DW012
FROM
# expect @-1:1 DW012 "expected an image after FROM: FROM requires either one or three arguments"
FROM alpine:3.20 build
# expect @-1:18 DW012 "unexpected 'build' after the image in FROM"
FROM alpine:3.20 AS
# expect @-1:18 DW012 "expected a stage name after AS"
FROM alpine:3.20 AS build extra
# expect @-1:27 DW012 "after the stage name in FROM"
COPY
# expect @-1:1 DW012 "COPY requires at least two arguments"
USER
# expect @-1:1 DW012 "expected a user after USER: USER requires exactly one argument"
WORKDIR
# expect @-1:1 DW012 "WORKDIR requires exactly one argument"
HEALTHCHECK
# expect @-1:1 DW012 "HEALTHCHECK requires at least one argument"
HEALTHCHECK NONE --now
# expect @-1:18 DW012 "HEALTHCHECK NONE takes no arguments"
EXPOSE
# expect @-1:1 DW012 "EXPOSE requires at least one argument"
ONBUILD
# expect @-1:1 DW012 "expected an instruction after ONBUILD: ONBUILD requires at least one argument"
