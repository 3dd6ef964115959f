# test: rules=DW116 fix=unsafe
FROM alpine:3.20
CMD ["app", \
     "--port=$PORT"]
# expect @-1:14 DW116 "exec-form CMD passes '$PORT'"
