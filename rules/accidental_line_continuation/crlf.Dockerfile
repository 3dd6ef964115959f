# test: rules=DW008 fix=unsafe
FROM alpine:3.20
RUN echo crlf \
# fixed: RUN echo crlf
ENTRYPOINT ["sh"]
# expect @-3:15 DW008 "to this RUN, so ENTRYPOINT does not"
