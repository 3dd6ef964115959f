# test: rules=DW001
FROM alpine:3.20
RUN <<END
# expect @-1:5 DW001 "unterminated heredoc 'END': no line 'END' before the end of the file"
echo the body runs to the end of the file
  END
