# test: rules=DW006 fix=unsafe
FROM alpine:3.20
CMD ["echo", "a"] && echo b
# expect @-1:19 DW006 "text after the JSON array of CMD ('&&')"
RUN ["echo", "unclosed]
# expect @-1:14 DW006 "a JSON string in the array of RUN is not closed"
CMD ["echo" "b"]
# expect @-1:13 DW006 "not valid JSON at '"b"'"
