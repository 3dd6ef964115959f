# test: rules=DW204 fix=unsafe
FROM debian:12
RUN --mount=type=bind,source=big.tar,target=/tmp/big.tar tar -xf /tmp/big.tar -C /opt
# expect @-1:40 DW204 "'/tmp/big.tar' was created in an earlier layer (COPY on line 3)"
RUN --mount=type=bind,from=build,source=/out/sdk.tgz,target=/opt/sdk.tgz tar -xzf /opt/sdk.tgz -C /usr/local
# expect @-1:50 DW204 "(COPY on line 4)"
# expect @-1:8 DW204 "(COPY on line 5)"
RUN --mount=type=bind,source=notes.txt,target=/tmp/notes.txt echo cleaned
# expect @-1:8 DW204 "(COPY on line 6)"
RUN --mount=type=bind,source=install.sh,target=/tmp/install.sh,rw chmod +x /tmp/install.sh && /tmp/install.sh
# expect @-1:58 DW204 "(COPY on line 15)"
