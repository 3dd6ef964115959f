# test: rules=DW007 fix=safe
FROM alpine:3.20
RUN echo one \


    two
# expect @-3:1 DW007 "2 empty continuation lines in this RUN instruction"
