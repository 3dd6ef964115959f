# test: rules=DW204 fix=unsafe
FROM debian:12
COPY big.tar /tmp/
COPY --from=build /out/sdk.tgz /opt/sdk.tgz
COPY --chown=app tools.zip /srv/tools.zip
COPY notes.txt /tmp/notes.txt
RUN tar -xf /tmp/big.tar -C /opt && rm /tmp/big.tar
# expect @-1:40 DW204 "'/tmp/big.tar' was created in an earlier layer (COPY on line 3)"
RUN tar -xzf /opt/sdk.tgz -C /usr/local && rm -f /opt/sdk.tgz
# expect @-1:50 DW204 "(COPY on line 4)"
RUN rm /srv/tools.zip
# expect @-1:8 DW204 "(COPY on line 5)"
RUN rm /tmp/notes.txt && echo cleaned
# expect @-1:8 DW204 "(COPY on line 6)"
COPY install.sh /tmp/install.sh
RUN chmod +x /tmp/install.sh && /tmp/install.sh && rm -f /tmp/install.sh
# expect @-1:58 DW204 "(COPY on line 15)"
