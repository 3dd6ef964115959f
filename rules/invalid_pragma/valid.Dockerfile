# check=skip=NoEmptyContinuation,DL3061,all
# test: rules=DW016
# dockwright stage ignore=DW001
FROM alpine:3.20
# hadolint ignore=DL1000
# dockwright ignore=syntax-error,DW0,SC2086 -- stacked pragmas
RUN true
# check=skip=NoEmptyContinuation
RUN true
# hadolint global ignore=DL3061
