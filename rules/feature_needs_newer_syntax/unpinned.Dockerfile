# test: rules=DW017
# No pin, or a pin to another image: nothing to judge.
FROM alpine:3.20
RUN --device=x --security=insecure <<EOF
true
EOF
