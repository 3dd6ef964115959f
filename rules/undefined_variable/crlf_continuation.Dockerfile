# test: rules=DW101 fix=unsafe
FROM alpine:3.20
ARG CONFIG_DIR=/etc/app
COPY app.conf \
# fixed: COPY app.conf \
     $CONFIG_DRI/
# fixed:      $CONFIG_DIR/
# expect @-2:6 DW101 "variable 'CONFIG_DRI' is not defined (did you mean 'CONFIG_DIR'?)"
