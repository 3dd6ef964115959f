# test: rules=DW001
FROM alpine:3.20
ENV GREETING="hello
# expect @-1:14 DW001 "unclosed quote: expected '"
LABEL description='not closed either
# expect @-1:19 DW001 "before the end of the line in LABEL"
RUN echo "a shell quote is the shell's business
