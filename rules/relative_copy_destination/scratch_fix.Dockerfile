# test: rules=DW112 fix=safe
FROM scratch AS base
COPY app .
# fixed: COPY app /
# expect @-2:10 DW112 "it resolves to '/' on scratch"
COPY a b c/
# fixed: COPY a b /c/
# expect @-2:10 DW112 "COPY destination 'c/' is relative while no WORKDIR is set in this stage or its parents: it resolves to '/c/' on scratch"
ADD ["x", "./bin/tool"]
# fixed: ADD ["x", "/bin/tool"]
# expect @-2:11 DW112 "it resolves to '/bin/tool' on scratch"
FROM base
COPY x opt/../srv/.
# fixed: COPY x /srv/
# expect @-2:8 DW112 "resolves to '/srv/' on scratch"
COPY --from=base /x ..
# fixed: COPY --from=base /x /
# expect @-2:21 DW112 "resolves to '/' on scratch"
