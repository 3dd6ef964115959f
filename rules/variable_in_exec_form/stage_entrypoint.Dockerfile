# test: rules=DW116
# The CMD feeds a shell's -c only when that ENTRYPOINT is in effect.
FROM alpine:3.20 AS base
ENTRYPOINT ["/bin/sh", "-c"]

FROM alpine:3.20
ENTRYPOINT ["/bin/sh", "-c", "exec \"$0\" \"$@\""]
CMD ["echo", "$HOME"]
# expect @-1:15 DW116 "exec-form CMD passes '$HOME'"
