# test: rules=DW007 fix=safe
FROM alpine:3.20
RUN echo \

# fixed: <deleted>
    crlf
# expect @-3:1 DW007 "empty continuation line"
RUN echo eof \

# fixed: <deleted>
# expect @-2:1 DW007 "empty continuation line"
