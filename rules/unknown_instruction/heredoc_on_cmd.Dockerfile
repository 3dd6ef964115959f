# test: rules=DW002 fix=unsafe
FROM alpine:3.20
CMD <<EOF
echo hello
# expect @-1:1 DW002 "unknown instruction 'echo' (CMD takes no heredoc"
EOF
# expect @-1:1 DW002 "unknown instruction 'EOF' (CMD takes no heredoc"
