# test: rules=DW002 fix=unsafe
FROM alpine:3.20
CPY a b
# expect @-1:1 DW002 "unknown instruction 'CPY'"
XYZZY plugh
# expect @-1:1 DW002 "unknown instruction 'XYZZY'"
