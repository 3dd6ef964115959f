# test: rules=DW004
FROM alpine:3.20
HEALTHCHECK --interval=30 CMD true
# expect @-1:24 DW004 "invalid --interval value '30': time: missing unit in duration "30""
HEALTHCHECK --timeout=500us CMD true
# expect @-1:23 DW004 "Interval "timeout" cannot be less than 1ms"
HEALTHCHECK --start-period=5d CMD true
# expect @-1:28 DW004 "invalid --start-period value '5d': time: unknown unit"
HEALTHCHECK --start-interval=3x CMD true
# expect @-1:30 DW004 "unknown unit "x" in duration "3x""
HEALTHCHECK --retries=-1 CMD true
# expect @-1:23 DW004 "--retries cannot be negative (-1)"
HEALTHCHECK --retries=three CMD true
# expect @-1:23 DW004 "invalid --retries value 'three': not an integer"
HEALTHCHECK --interval CMD true
# expect @-1:13 DW004 "missing a value on flag: --interval"
HEALTHCHECK --interval=1m30s --timeout=0 --start-period=0s --start-interval=1.5ms --retries=0 CMD true
HEALTHCHECK --interval= --retries= CMD true
