# test: rules=DW101
FROM alpine:3.20
ARG CONFIG_DIR=/etc/app
COPY <<EOF ${CONFIG_DIR}/app.conf
dir=$CONFIG_DRI \
next=1
EOF
# expect @-3:5 DW101 "(did you mean 'CONFIG_DIR'?)"
