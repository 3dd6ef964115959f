# test: rules=DW117 fix=unsafe
# No fix when a comment line sits between the pairs: it would be lost.
FROM alpine:3.20
ENV A=1 \
# the binary dir
    B=$A/bin
# expect @-1:7 DW117 "'$A' does not see the A set earlier in this ENV"
