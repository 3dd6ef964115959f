# test: rules=DW001
FROM alpine:3.20
ENV A="x
# expect @-1:7 DW001 "unclosed quote"
RUN <<EOF
# expect @-1:5 DW001 "unterminated heredoc"
echo crlf
