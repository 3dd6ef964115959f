# test: rules=DW006 fix=unsafe
FROM alpine:3.20
CMD ['sh', '-c']
# fixed: CMD ["sh", "-c"]
# expect @-2:6 DW006 "single quotes"
