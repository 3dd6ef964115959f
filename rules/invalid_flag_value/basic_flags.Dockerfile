# test: rules=DW004
FROM --platform alpine:3.20 AS build
# expect @-1:6 DW004 "missing a value on flag: --platform"
COPY --link=maybe --parents= a /b/
# expect @-1:13 DW004 "expecting boolean value for flag --link, not: maybe"
# expect @-2:19 DW004 "missing a value on flag: --parents"
COPY --from=build --from=other /a /b
# expect @-1:19 DW004 "duplicate flag specified: --from"
COPY --from=$STAGE /a /b
# expect @-1:13 DW004 "variable expansion is not supported for --from"
COPY --chmod=0888 a /a
# expect @-1:14 DW004 "invalid chmod parameter: '0888'"
COPY --chmod=17777 a /a
# expect @-1:14 DW004 "invalid chmod parameter: '17777'"
ADD --chmod=u+q a /a
# expect @-1:13 DW004 "invalid chmod parameter: 'u+q'"
ADD --unpack=yes a.tar /a/
# expect @-1:14 DW004 "expecting boolean value for flag --unpack, not: yes"
RUN --network=bridge --security=privileged make
# expect @-1:15 DW004 "invalid network mode "bridge""
# expect @-2:33 DW004 "security "privileged" is not valid"
RUN --network=$NET true
# expect @-1:15 DW004 "invalid network mode "$NET""
ONBUILD COPY --link=no . /src
# expect @-1:21 DW004 "expecting boolean value for flag --link, not: no"
