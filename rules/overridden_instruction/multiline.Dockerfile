# test: rules=DW114 fix=safe
FROM alpine:3.20
CMD echo one \
    && echo two \
    && echo three
# expect @-3:1 DW114 "CMD is overridden by the CMD on line 7"
CMD ["echo", "four"]
