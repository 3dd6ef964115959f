# test: rules=DW111 fix=safe
FROM scratch AS base
WORKDIR app
# fixed: WORKDIR /app
# expect @-2:9 DW111 "WORKDIR 'app' is relative and the first of its stage: it resolves to '/app' on scratch"
FROM scratch AS other
COPY x /x
FROM other
WORKDIR ./srv/../data/./x/
# fixed: WORKDIR /data/x
# expect @-2:9 DW111 "it resolves to '/data/x' on scratch"
FROM scratch
WORKDIR ../..
# fixed: WORKDIR /
# expect @-2:9 DW111 "resolves to '/' on scratch"
