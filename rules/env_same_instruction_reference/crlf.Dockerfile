# test: rules=DW117 fix=unsafe
FROM alpine:3.20
ENV A=1 B=$A
# fixed: ENV A=1
# fixed: ENV B=$A
# expect @-3:11 DW117 "'$A' does not see"
