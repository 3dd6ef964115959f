# test: rules=DW007
FROM alpine:3.20

RUN <<EOF
echo a heredoc body may hold blank lines

echo they are content
EOF

RUN echo a \
    b
# A comment after a finished instruction, then a blank line.

COPY <<-CONF /etc/app.conf
	key=value

	other=value
	CONF
