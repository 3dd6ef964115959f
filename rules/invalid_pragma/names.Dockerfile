# check=skip=noemptycontinuation,NoEmptyContinuation,DW9999
# test: rules=DW016
FROM alpine:3.20
# expect @-3:14 DW016 "'noemptycontinuation' matches a BuildKit check name only when case is ignored"
# expect @-4:54 DW016 "unknown rule 'DW9999' in this check=skip pragma"
# dockwright ignore=unknown-instrucion,DW002 -- a reason
RUNN echo hello
# expect @-2:21 DW016 "unknown rule 'unknown-instrucion' in this dockwright pragma: it suppresses nothing (the other names still apply)"
# hadolint ignore=DL3061,DLXXXX
RUN true
# expect @-2:26 DW016 "unknown rule 'DLXXXX' in this hadolint pragma"
# dockwright global ignore=DW3,SC2086,syntax-error,DL1000,no-such-rule
# expect @-1:59 DW016 "unknown rule 'no-such-rule' in this dockwright pragma"
