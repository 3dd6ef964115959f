# test: rules=DW101
FROM scratch
ARG OWNER=1000
ARG PORT=8080
USER $OWNR
# expect @-1:6 DW101 "variable 'OWNR' is not defined (did you mean 'OWNER'?)"
STOPSIGNAL $SIGNAL
# expect @-1:12 DW101 "variable 'SIGNAL' is not defined"
EXPOSE $PORT/tcp $ADMIN_PORT
# expect @-1:18 DW101 "variable 'ADMIN_PORT' is not defined"
VOLUME ["/data", "$CACHE_DIR"]
# expect @-1:19 DW101 "variable 'CACHE_DIR' is not defined"
COPY --chown=$OWNER:$GROUP --chmod=$MODE src /src
# expect @-1:21 DW101 "variable 'GROUP' is not defined"
# expect @-2:36 DW101 "variable 'MODE' is not defined"
ADD --checksum=$SUM https://example.com/a.tgz /a.tgz
# expect @-1:16 DW101 "variable 'SUM' is not defined"
COPY <<EOF /etc/app.conf
port=$PORT
user=${USERNAME}
EOF
# expect @-2:6 DW101 "variable 'USERNAME' is not defined"
COPY <<'EOF' /etc/literal.conf
user=${USERNAME}
EOF
RUN --mount=type=cache,target=$CACHE,id=$PORT echo $NOT_CHECKED
# expect @-1:31 DW101 "variable 'CACHE' is not defined"
LABEL $LABEL_KEY=1 "key"="${LABEL_VALUE}"
# expect @-1:7 DW101 "variable 'LABEL_KEY' is not defined"
# expect @-2:27 DW101 "variable 'LABEL_VALUE' is not defined"
WORKDIR /app/\
$SUBDIR
# expect @-1:1 DW101 "variable 'SUBDIR' is not defined"
