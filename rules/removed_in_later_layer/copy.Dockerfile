# test: rules=DW204 fix=safe
FROM debian:12
COPY big.tar /tmp/
COPY assets.tgz /srv/assets.tgz
RUN tar -xf /tmp/big.tar -C /opt && rm /tmp/big.tar
# expect @-1:40 DW204 "'/tmp/big.tar' was created in an earlier layer (COPY on line 3)"
RUN rm -rf /srv
# expect @-1:12 DW204 "deletes '/srv/assets.tgz', created in an earlier layer (COPY on line 4"
