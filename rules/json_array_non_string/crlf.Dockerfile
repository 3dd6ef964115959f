# test: rules=DW005 fix=unsafe
FROM alpine:3.20
CMD ["sleep", 5]
# fixed: CMD ["sleep", "5"]
# expect @-2:15 DW005 "the number 5"
