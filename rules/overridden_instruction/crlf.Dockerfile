# test: rules=DW114 fix=safe
FROM alpine:3.20
CMD ["a"]
# fixed: <deleted>
# expect @-2:1 DW114 "CMD is overridden by the CMD on line 6"
CMD ["b"]
