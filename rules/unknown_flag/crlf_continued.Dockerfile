# test: rules=DW003 fix=unsafe
FROM alpine:3.20
COPY --chwon=app \
# fixed: COPY --chown=app \
# expect @-2:6 DW003 "did you mean --chown?"
     a /b
